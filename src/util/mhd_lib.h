/*
 * libmicrohttpd, loaded when a server starts (util/lazylib.h): only passage
 * serve and passage witness serve use it.
 */
#ifndef PASSAGE_UTIL_MHD_LIB_H
#define PASSAGE_UTIL_MHD_LIB_H

#include <microhttpd.h>

#include "util/util.h"

struct mhd_lib {
  __typeof__(MHD_add_response_header) *MHD_add_response_header;
  __typeof__(MHD_create_response_from_buffer) *MHD_create_response_from_buffer;
  __typeof__(MHD_create_response_from_callback)
      *MHD_create_response_from_callback;
  __typeof__(MHD_create_response_from_fd) *MHD_create_response_from_fd;
  __typeof__(MHD_destroy_response) *MHD_destroy_response;
  __typeof__(MHD_get_connection_values) *MHD_get_connection_values;
  __typeof__(MHD_get_daemon_info) *MHD_get_daemon_info;
  __typeof__(MHD_is_feature_supported) *MHD_is_feature_supported;
  __typeof__(MHD_lookup_connection_value) *MHD_lookup_connection_value;
  __typeof__(MHD_queue_response) *MHD_queue_response;
  __typeof__(MHD_quiesce_daemon) *MHD_quiesce_daemon;
  __typeof__(MHD_resume_connection) *MHD_resume_connection;
  __typeof__(MHD_set_connection_option) *MHD_set_connection_option;
  __typeof__(MHD_start_daemon) *MHD_start_daemon;
  __typeof__(MHD_stop_daemon) *MHD_stop_daemon;
  __typeof__(MHD_suspend_connection) *MHD_suspend_connection;
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
