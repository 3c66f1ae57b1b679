/* api: one function per libvirt API (connection/host in api_host.c,
 * queries in api_query.c, state changes in api_lifecycle.c, statistics in
 * api_stats.c). Every domain
 * API follows the same steps: check flags, look up the domain
 * (VIR_ERR_NO_DOMAIN), take its lock (and its job for state changes), check
 * the state, act, set state + reason, emit the event, release. */
#ifndef TANDEM_API_H
#define TANDEM_API_H

#include "driver/dispatch.h"
#include "driver/domain.h"
#include "driver/drv_error.h"

#define API(name) bool name(struct call *call, void *args, void *ret, GError **err)

/* flags check in libvirt's words */
bool api_check_flags(unsigned flags, unsigned allowed, const char *fn, GError **err);
/* lookup of a client's domain handle (by uuid), with a ref */
struct domain *api_get_domain(const tandem_nonnull_domain *dom, GError **err);
/* fills a wire domain from an object (d->lock held or not racing) */
void api_make_dom(tandem_nonnull_domain *out, struct domain *d);
/* does d pass ListAllDomains' filter flags (d->lock held)? */
bool api_list_match(struct domain *d, unsigned flags);
/* serialises define/create/undefine against each other (name space) */
extern GMutex api_namespace_lock;

/* api_host.c */
API(api_auth_list); API(api_supports_feature); API(api_connect_open); API(api_connect_close);
API(api_void_ok); API(api_get_uri); API(api_get_type); API(api_get_version);
API(api_get_lib_version); API(api_get_hostname); API(api_get_capabilities);
API(api_node_get_info); API(api_get_domain_capabilities); API(api_node_get_security_model);
API(api_node_get_free_memory); API(api_get_max_vcpus); API(api_is_secure);
API(api_event_register_any_cb); API(api_event_deregister_any_cb);
API(api_event_register_any); API(api_event_deregister_any);
API(api_event_register); API(api_event_deregister);

/* api_query.c */
API(api_list_all_domains); API(api_num_of_domains); API(api_list_domains);
API(api_num_of_defined_domains); API(api_list_defined_domains);
API(api_lookup_by_name); API(api_lookup_by_uuid); API(api_lookup_by_id);
API(api_get_state); API(api_get_info); API(api_get_os_type); API(api_is_active);
API(api_is_persistent); API(api_is_updated); API(api_get_autostart); API(api_set_autostart);
API(api_get_xml_desc); API(api_has_managed_save); API(api_snapshot_num);
API(api_list_all_snapshots); API(api_get_messages); API(api_get_security_label);
API(api_get_max_memory); API(api_dom_get_max_vcpus); API(api_get_vcpus_flags);
API(api_get_vcpus); API(api_get_metadata); API(api_set_metadata);

/* api_lifecycle.c */
API(api_define_xml); API(api_define_xml_flags); API(api_undefine); API(api_undefine_flags);
API(api_create); API(api_create_with_flags); API(api_create_xml);
API(api_shutdown); API(api_shutdown_flags); API(api_reboot); API(api_reset);
API(api_destroy); API(api_destroy_flags); API(api_suspend); API(api_resume);
API(api_open_console);

/* api_stats.c */
API(api_memory_stats); API(api_get_job_info); API(api_get_job_stats); API(api_get_all_domain_stats);

/* api_lifecycle.c: AUTODESTROY domains of a client that went away */
void api_autodestroy_client(uint64_t client_id);

#endif
