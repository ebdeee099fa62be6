/*
 * Fuzzes an import of CSV as users' files are: through ingest_buffer, the
 * header row, an HXL hashtag row, --map (columns and templates), --set,
 * --values, references by id and by name, --create-missing, every record
 * kind's validation, the hand-over to the writer and the store, with
 * options chosen from the input's first two bytes (fuzz_import.h). Whatever
 * the bytes, the import keeps its promises (all or nothing, the store's
 * own check passing after it) and nothing crashes, leaks or trips a
 * sanitizer.
 */
#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  return fuzz_import(data, size, INGEST_CSV);
}
