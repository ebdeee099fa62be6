/*
 * libmicrohttpd, loaded when a server starts (util/lazylib.h): only passage
 * serve and passage witness serve use it.
 */
#ifndef PASSAGE_UTIL_MHD_LIB_H
#define PASSAGE_UTIL_MHD_LIB_H

#include <microhttpd.h>

#include "util/lazylib.h"
#include "util/util.h"

/* Every function the program calls, once: the table's slots and names. */
#define MHD_LIB_FUNCS(X)                                                       \
  X(MHD_add_response_header)                                                   \
  X(MHD_create_response_from_buffer)                                           \
  X(MHD_create_response_from_callback)                                         \
  X(MHD_create_response_from_fd)                                               \
  X(MHD_destroy_response)                                                      \
  X(MHD_get_connection_values)                                                 \
  X(MHD_get_daemon_info)                                                       \
  X(MHD_is_feature_supported)                                                  \
  X(MHD_lookup_connection_value)                                               \
  X(MHD_queue_response)                                                        \
  X(MHD_quiesce_daemon)                                                        \
  X(MHD_resume_connection)                                                     \
  X(MHD_set_connection_option)                                                 \
  X(MHD_start_daemon)                                                          \
  X(MHD_stop_daemon)                                                           \
  X(MHD_suspend_connection)

struct mhd_lib {
  MHD_LIB_FUNCS(UTIL_LAZY_SLOT)
};

extern struct mhd_lib util_mhd;

/* Loads libmicrohttpd (OK), or ERR_NOTFOUND with err saying what to
 * install: passage serve and passage witness serve. */
int util_mhd_load(struct buf *err);

/* Every call through the table, but in mhd_lib.c, which fills it. */
#ifndef PASSAGE_UTIL_MHD_LIB_TABLE
#define MHD_add_response_header (util_mhd.MHD_add_response_header)
#define MHD_create_response_from_buffer                                        \
  (util_mhd.MHD_create_response_from_buffer)
#define MHD_create_response_from_callback                                      \
  (util_mhd.MHD_create_response_from_callback)
#define MHD_create_response_from_fd (util_mhd.MHD_create_response_from_fd)
#define MHD_destroy_response (util_mhd.MHD_destroy_response)
#define MHD_get_connection_values (util_mhd.MHD_get_connection_values)
#define MHD_get_daemon_info (util_mhd.MHD_get_daemon_info)
#define MHD_is_feature_supported (util_mhd.MHD_is_feature_supported)
#define MHD_lookup_connection_value (util_mhd.MHD_lookup_connection_value)
#define MHD_queue_response (util_mhd.MHD_queue_response)
#define MHD_quiesce_daemon (util_mhd.MHD_quiesce_daemon)
#define MHD_resume_connection (util_mhd.MHD_resume_connection)
#define MHD_set_connection_option (util_mhd.MHD_set_connection_option)
#define MHD_start_daemon (util_mhd.MHD_start_daemon)
#define MHD_stop_daemon (util_mhd.MHD_stop_daemon)
#define MHD_suspend_connection (util_mhd.MHD_suspend_connection)
#endif

#endif
