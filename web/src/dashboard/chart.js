import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { num } from "../common/format.js";

// Days ("2023-01-15") as uPlot's x values: seconds at UTC midnight, shown in
// UTC so that the axis reads the corridor's local days as the API names them.
export function dayToX(day) {
  return Date.parse(`${day}T00:00:00Z`) / 1000;
}

const utc = (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC");

// A line chart of daily values. series: [{label, values (aligned with days;
// null is a gap: unknown, never drawn as zero), color, dash, notes (per
// point text shown after the value in the legend, e.g. "approximate")}].
// Returns {destroy}. The chart follows its container's width.
export function lineChart(container, { days, series, yLabel, height = 260, yRange }) {
  container.replaceChildren();
  const xs = days.map(dayToX);
  const opts = {
    width: Math.max(280, container.clientWidth || 600),
    height,
    tzDate: utc,
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: true }, y: yRange ? { range: () => yRange } : { range: (u, lo, hi) => [Math.min(0, lo ?? 0), hi > 0 ? hi * 1.05 : 1] } },
    axes: [{ space: 60 }, { label: yLabel, size: 60, values: (u, ticks) => ticks.map((t) => num(t, { digits: 3 })) }],
    series: [
      { label: "day", value: (u, v) => (v == null ? "" : new Date(v * 1000).toISOString().slice(0, 10)) },
      ...series.map((s) => ({
        label: s.label,
        stroke: s.color,
        width: s.width ?? 2,
        dash: s.dash,
        spanGaps: false,
        points: { show: days.length <= 62 },
        value: (u, v, si, di) => {
          if (di == null) return "–";
          const note = s.notes?.[di];
          if (v == null) return note || "unknown";
          return note ? `${num(v)} (${note})` : num(v);
        },
      })),
    ],
  };
  const data = [xs, ...series.map((s) => s.values)];
  const plot = new uPlot(opts, data, container);
  const ro = new ResizeObserver(() => {
    const w = Math.max(280, container.clientWidth);
    if (Math.abs(w - plot.width) > 4) plot.setSize({ width: w, height });
  });
  ro.observe(container);
  return {
    plot,
    destroy() {
      ro.disconnect();
      plot.destroy();
    },
  };
}
