/*
 * Between the files of src/record: the members of a record's JSON as
 * members.c reads them from canonical bytes, for record.c to set.
 */
#ifndef PASSAGE_RECORD_INT_H
#define PASSAGE_RECORD_INT_H

#include "record/record.h"
#include "util/util.h"

#include <stddef.h>

/* One member: the field (an index of the kind's fields), its cargo line
 * (0 outside cargo), and its text as jansson's reading would give it to
 * record_set, at text.data + off. */
struct record_member {
  int field;
  size_t line, off, len;
};

struct record_members {
  struct record_member *v;
  size_t n, cap;
  struct buf text;
};

void record__members_init(struct record_members *m);
void record__members_cleanup(struct record_members *m);

/*
 * The members of the len bytes at json when they are a record's canonical
 * form (what record_canonical writes, or any JSON written as strictly):
 * OK, with *kind the kind they name (or the one given, when they name
 * none). ERR_INVALID for anything else, valid JSON or not: the caller then
 * reads the bytes in full (record_from_json_general), which says what is
 * wrong, if anything.
 */
int record__members(const char *json, size_t len, int *kind,
                    struct record_members *m);

/* record_from_json_problems without the canonical reading first: every
 * byte through jansson (util_json_load). */
int record__from_json_general(struct record *r, int kind,
                              const struct record_ctx *ctx, const char *json,
                              size_t len, struct buf *err,
                              record_problem_fn problem, void *pctx);

#endif
