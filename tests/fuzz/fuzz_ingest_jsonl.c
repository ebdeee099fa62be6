/*
 * Fuzzes an import of JSON Lines: each line through util_json_load and
 * the record module's conversion of JSON values to fields (strings,
 * numbers, arrays of ids, a flow's cargo lines), then references, --set
 * and the store, with options chosen from the input's first two bytes
 * (fuzz_import.h). The same promises as for CSV.
 */
#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  return fuzz_import(data, size, INGEST_JSONL);
}
