#define PASSAGE_UTIL_MHD_LIB_TABLE
#include "util/mhd_lib.h"

#include "util/i18n.h"
#include "util/lazylib.h"

struct mhd_lib util_mhd;

static const struct util_lazy_sym syms[] = {
    {"MHD_add_response_header", (void **)&util_mhd.MHD_add_response_header},
    {"MHD_create_response_from_buffer",
     (void **)&util_mhd.MHD_create_response_from_buffer},
    {"MHD_create_response_from_callback",
     (void **)&util_mhd.MHD_create_response_from_callback},
    {"MHD_create_response_from_fd",
     (void **)&util_mhd.MHD_create_response_from_fd},
    {"MHD_destroy_response", (void **)&util_mhd.MHD_destroy_response},
    {"MHD_get_connection_values", (void **)&util_mhd.MHD_get_connection_values},
    {"MHD_get_daemon_info", (void **)&util_mhd.MHD_get_daemon_info},
    {"MHD_is_feature_supported", (void **)&util_mhd.MHD_is_feature_supported},
    {"MHD_lookup_connection_value",
     (void **)&util_mhd.MHD_lookup_connection_value},
    {"MHD_queue_response", (void **)&util_mhd.MHD_queue_response},
    {"MHD_quiesce_daemon", (void **)&util_mhd.MHD_quiesce_daemon},
    {"MHD_resume_connection", (void **)&util_mhd.MHD_resume_connection},
    {"MHD_set_connection_option", (void **)&util_mhd.MHD_set_connection_option},
    {"MHD_start_daemon", (void **)&util_mhd.MHD_start_daemon},
    {"MHD_stop_daemon", (void **)&util_mhd.MHD_stop_daemon},
    {"MHD_suspend_connection", (void **)&util_mhd.MHD_suspend_connection},
};

static struct util_lazy_lib lib = {PASSAGE_SONAME_MHD,
                                   "libmicrohttpd12",
                                   NULL,
                                   syms,
                                   sizeof syms / sizeof *syms,
                                   0,
                                   {0}};

int
util_mhd_load(struct buf *err)
{
  lib.purpose = _("an HTTP server");
  return util_lazy_load(&lib, err);
}
