/* dispatch: procedure table and the common call path. */
#include "driver/dispatch.h"
#include "driver/api.h"
#include "driver/console.h"
#include "driver/events.h"

#include <stdlib.h>
#include <string.h>

struct dispatch_config dispatch_config;

struct proc_entry {
	int proc;
	const char *ro_denied;  /* API name if refused on read-only connections */
	bool before_open;       /* allowed before CONNECT_OPEN */
	xdrproc_t args_xdr;
	size_t args_size;
	xdrproc_t ret_xdr;
	size_t ret_size;
	api_fn fn;
};

#define X(t) (xdrproc_t)xdr_##t, sizeof(t)
#define NOARGS NULL, 0
#define NORET NULL, 0

static const struct proc_entry table[] = {
	/* handshake and host */
	{ TANDEM_PROC_AUTH_LIST, NULL, true, NOARGS, X(tandem_auth_list_ret), api_auth_list },
	{ TANDEM_PROC_CONNECT_SUPPORTS_FEATURE, NULL, true, X(tandem_supports_feature_args), X(tandem_int_ret), api_supports_feature },
	{ TANDEM_PROC_CONNECT_OPEN, NULL, true, X(tandem_open_args), NORET, api_connect_open },
	{ TANDEM_PROC_CONNECT_CLOSE, NULL, true, NOARGS, NORET, api_connect_close },
	{ TANDEM_PROC_CONNECT_REGISTER_CLOSE_CALLBACK, NULL, false, NOARGS, NORET, api_void_ok },
	{ TANDEM_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK, NULL, false, NOARGS, NORET, api_void_ok },
	{ TANDEM_PROC_CONNECT_GET_URI, NULL, false, NOARGS, X(tandem_string_ret), api_get_uri },
	{ TANDEM_PROC_CONNECT_GET_TYPE, NULL, false, NOARGS, X(tandem_string_ret), api_get_type },
	{ TANDEM_PROC_CONNECT_GET_VERSION, NULL, false, NOARGS, X(tandem_uhyper_ret), api_get_version },
	{ TANDEM_PROC_CONNECT_GET_LIB_VERSION, NULL, false, NOARGS, X(tandem_uhyper_ret), api_get_lib_version },
	{ TANDEM_PROC_CONNECT_GET_HOSTNAME, NULL, false, NOARGS, X(tandem_string_ret), api_get_hostname },
	{ TANDEM_PROC_CONNECT_GET_CAPABILITIES, NULL, false, NOARGS, X(tandem_string_ret), api_get_capabilities },
	{ TANDEM_PROC_NODE_GET_INFO, NULL, false, NOARGS, X(tandem_node_get_info_ret), api_node_get_info },
	{ 342, "virConnectGetDomainCapabilities", false, X(tandem_get_domain_capabilities_args), X(tandem_string_ret), api_get_domain_capabilities },
	{ TANDEM_PROC_NODE_GET_SECURITY_MODEL, NULL, false, NOARGS, X(tandem_node_get_security_model_ret), api_node_get_security_model },
	{ TANDEM_PROC_NODE_GET_FREE_MEMORY, NULL, false, NOARGS, X(tandem_uhyper_ret), api_node_get_free_memory },
	{ TANDEM_PROC_CONNECT_GET_MAX_VCPUS, NULL, false, X(tandem_optstring_args), X(tandem_int_ret), api_get_max_vcpus },
	{ TANDEM_PROC_CONNECT_IS_SECURE, NULL, false, NOARGS, X(tandem_int_ret), api_is_secure },
	/* events */
	{ TANDEM_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, NULL, false, X(tandem_event_callback_register_any_args), X(tandem_event_callback_register_any_ret), api_event_register_any_cb },
	{ TANDEM_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, NULL, false, X(tandem_event_callback_deregister_any_args), NORET, api_event_deregister_any_cb },
	{ TANDEM_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY, NULL, false, X(tandem_event_register_any_args), NORET, api_event_register_any },
	{ TANDEM_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY, NULL, false, X(tandem_event_register_any_args), NORET, api_event_deregister_any },
	{ TANDEM_PROC_CONNECT_DOMAIN_EVENT_REGISTER, NULL, false, NOARGS, X(tandem_event_register_ret), api_event_register },
	{ TANDEM_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER, NULL, false, NOARGS, X(tandem_event_register_ret), api_event_deregister },
	/* listing and lookup */
	{ TANDEM_PROC_CONNECT_LIST_ALL_DOMAINS, NULL, false, X(tandem_list_all_domains_args), X(tandem_list_all_domains_ret), api_list_all_domains },
	{ TANDEM_PROC_CONNECT_NUM_OF_DOMAINS, NULL, false, NOARGS, X(tandem_int_ret), api_num_of_domains },
	{ TANDEM_PROC_CONNECT_LIST_DOMAINS, NULL, false, X(tandem_max_args), X(tandem_list_ids_ret), api_list_domains },
	{ TANDEM_PROC_CONNECT_NUM_OF_DEFINED_DOMAINS, NULL, false, NOARGS, X(tandem_int_ret), api_num_of_defined_domains },
	{ TANDEM_PROC_CONNECT_LIST_DEFINED_DOMAINS, NULL, false, X(tandem_max_args), X(tandem_list_names_ret), api_list_defined_domains },
	{ TANDEM_PROC_DOMAIN_LOOKUP_BY_NAME, NULL, false, X(tandem_lookup_by_name_args), X(tandem_domain_ret), api_lookup_by_name },
	{ TANDEM_PROC_DOMAIN_LOOKUP_BY_UUID, NULL, false, X(tandem_lookup_by_uuid_args), X(tandem_domain_ret), api_lookup_by_uuid },
	{ TANDEM_PROC_DOMAIN_LOOKUP_BY_ID, NULL, false, X(tandem_lookup_by_id_args), X(tandem_domain_ret), api_lookup_by_id },
	/* queries */
	{ TANDEM_PROC_DOMAIN_GET_STATE, NULL, false, X(tandem_dom_flags_args), X(tandem_domain_get_state_ret), api_get_state },
	{ TANDEM_PROC_DOMAIN_GET_INFO, NULL, false, X(tandem_dom_args), X(tandem_domain_get_info_ret), api_get_info },
	{ TANDEM_PROC_DOMAIN_GET_OS_TYPE, NULL, false, X(tandem_dom_args), X(tandem_string_ret), api_get_os_type },
	{ TANDEM_PROC_DOMAIN_IS_ACTIVE, NULL, false, X(tandem_dom_args), X(tandem_int_ret), api_is_active },
	{ TANDEM_PROC_DOMAIN_IS_PERSISTENT, NULL, false, X(tandem_dom_args), X(tandem_int_ret), api_is_persistent },
	{ TANDEM_PROC_DOMAIN_IS_UPDATED, NULL, false, X(tandem_dom_args), X(tandem_int_ret), api_is_updated },
	{ TANDEM_PROC_DOMAIN_GET_AUTOSTART, NULL, false, X(tandem_dom_args), X(tandem_int_ret), api_get_autostart },
	{ TANDEM_PROC_DOMAIN_SET_AUTOSTART, "virDomainSetAutostart", false, X(tandem_dom_int_args), NORET, api_set_autostart },
	{ TANDEM_PROC_DOMAIN_GET_XML_DESC, NULL, false, X(tandem_dom_flags_args), X(tandem_string_ret), api_get_xml_desc },
	{ TANDEM_PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE, NULL, false, X(tandem_dom_flags_args), X(tandem_int_ret), api_has_managed_save },
	{ TANDEM_PROC_DOMAIN_SNAPSHOT_NUM, NULL, false, X(tandem_dom_flags_args), X(tandem_int_ret), api_snapshot_num },
	{ TANDEM_PROC_DOMAIN_LIST_ALL_SNAPSHOTS, NULL, false, X(tandem_list_all_snapshots_args), X(tandem_list_all_snapshots_ret), api_list_all_snapshots },
	{ TANDEM_PROC_DOMAIN_GET_MESSAGES, NULL, false, X(tandem_dom_flags_args), X(tandem_domain_get_messages_ret), api_get_messages },
	{ TANDEM_PROC_DOMAIN_GET_SECURITY_LABEL, NULL, false, X(tandem_dom_args), X(tandem_domain_get_security_label_ret), api_get_security_label },
	{ TANDEM_PROC_DOMAIN_GET_MAX_MEMORY, NULL, false, X(tandem_dom_args), X(tandem_uhyper_ret), api_get_max_memory },
	{ TANDEM_PROC_DOMAIN_GET_MAX_VCPUS, NULL, false, X(tandem_dom_args), X(tandem_int_ret), api_dom_get_max_vcpus },
	{ TANDEM_PROC_DOMAIN_GET_VCPUS_FLAGS, NULL, false, X(tandem_dom_flags_args), X(tandem_int_ret), api_get_vcpus_flags },
	{ TANDEM_PROC_DOMAIN_GET_VCPUS, NULL, false, X(tandem_domain_get_vcpus_args), X(tandem_domain_get_vcpus_ret), api_get_vcpus },
	{ TANDEM_PROC_DOMAIN_GET_METADATA, NULL, false, X(tandem_domain_get_metadata_args), X(tandem_string_ret), api_get_metadata },
	{ TANDEM_PROC_DOMAIN_SET_METADATA, "virDomainSetMetadata", false, X(tandem_domain_set_metadata_args), NORET, api_set_metadata },
	/* statistics */
	{ TANDEM_PROC_DOMAIN_MEMORY_STATS, NULL, false, X(tandem_domain_memory_stats_args), X(tandem_domain_memory_stats_ret), api_memory_stats },
	{ TANDEM_PROC_DOMAIN_GET_JOB_INFO, NULL, false, X(tandem_dom_args), X(tandem_domain_get_job_info_ret), api_get_job_info },
	{ TANDEM_PROC_DOMAIN_GET_JOB_STATS, NULL, false, X(tandem_dom_flags_args), X(tandem_domain_get_job_stats_ret), api_get_job_stats },
	{ TANDEM_PROC_CONNECT_GET_ALL_DOMAIN_STATS, NULL, false, X(tandem_get_all_domain_stats_args), X(tandem_get_all_domain_stats_ret), api_get_all_domain_stats },
	/* lifecycle */
	{ TANDEM_PROC_DOMAIN_DEFINE_XML, "virDomainDefineXML", false, X(tandem_xml_args), X(tandem_domain_ret), api_define_xml },
	{ TANDEM_PROC_DOMAIN_DEFINE_XML_FLAGS, "virDomainDefineXMLFlags", false, X(tandem_xml_flags_args), X(tandem_domain_ret), api_define_xml_flags },
	{ TANDEM_PROC_DOMAIN_UNDEFINE, "virDomainUndefine", false, X(tandem_dom_args), NORET, api_undefine },
	{ TANDEM_PROC_DOMAIN_UNDEFINE_FLAGS, "virDomainUndefineFlags", false, X(tandem_dom_flags_args), NORET, api_undefine_flags },
	{ TANDEM_PROC_DOMAIN_CREATE, "virDomainCreate", false, X(tandem_dom_args), NORET, api_create },
	{ TANDEM_PROC_DOMAIN_CREATE_WITH_FLAGS, "virDomainCreateWithFlags", false, X(tandem_dom_flags_args), X(tandem_domain_ret), api_create_with_flags },
	{ TANDEM_PROC_DOMAIN_CREATE_XML, "virDomainCreateXML", false, X(tandem_xml_flags_args), X(tandem_domain_ret), api_create_xml },
	{ TANDEM_PROC_DOMAIN_SHUTDOWN, "virDomainShutdown", false, X(tandem_dom_args), NORET, api_shutdown },
	{ TANDEM_PROC_DOMAIN_SHUTDOWN_FLAGS, "virDomainShutdownFlags", false, X(tandem_dom_flags_args), NORET, api_shutdown_flags },
	{ TANDEM_PROC_DOMAIN_REBOOT, "virDomainReboot", false, X(tandem_dom_flags_args), NORET, api_reboot },
	{ TANDEM_PROC_DOMAIN_RESET, "virDomainReset", false, X(tandem_dom_flags_args), NORET, api_reset },
	{ TANDEM_PROC_DOMAIN_DESTROY, "virDomainDestroy", false, X(tandem_dom_args), NORET, api_destroy },
	{ TANDEM_PROC_DOMAIN_DESTROY_FLAGS, "virDomainDestroyFlags", false, X(tandem_dom_flags_args), NORET, api_destroy_flags },
	{ TANDEM_PROC_DOMAIN_SUSPEND, "virDomainSuspend", false, X(tandem_dom_args), NORET, api_suspend },
	{ TANDEM_PROC_DOMAIN_RESUME, "virDomainResume", false, X(tandem_dom_args), NORET, api_resume },
	{ TANDEM_PROC_DOMAIN_OPEN_CONSOLE, "virDomainOpenConsole", false, X(tandem_domain_open_console_args), NORET, api_open_console },
};

/* API names of procedures clients probe but tandem does not implement,
 * for libvirt's "not supported ... virXxx" message. */
static const struct { int proc; const char *api; } unsupported_names[] = {
	{ 8, "virDomainAttachDevice" }, { 13, "virDomainDetachDevice" }, { 26, "virDomainPinVcpu" },
	{ 30, "virDomainSetMaxMemory" }, { 31, "virDomainSetMemory" }, { 32, "virDomainSetVcpus" },
	{ 38, "virConnectListNetworks" }, { 52, "virConnectNumOfNetworks" }, { 53, "virDomainCoreDump" },
	{ 54, "virDomainRestore" }, { 55, "virDomainSave" }, { 64, "virDomainBlockStats" },
	{ 65, "virDomainInterfaceStats" }, { 71, "virConnectNumOfStoragePools" },
	{ 77, "virStoragePoolDefineXML" },
	{ 111, "virNodeNumOfDevices" }, { 112, "virNodeListDevices" },
	{ 160, "virDomainAttachDeviceFlags" }, { 161, "virDomainDetachDeviceFlags" },
	{ 174, "virDomainUpdateDeviceFlags" },
	{ 182, "virDomainManagedSave" }, { 184, "virDomainManagedSaveRemove" },
	{ 185, "virDomainSnapshotCreateXML" }, { 199, "virDomainSetVcpusFlags" },
	{ 203, "virConnectGetSysinfo" }, { 204, "virDomainSetMemoryFlags" }, { 211, "virDomainScreenshot" },
	{ 214, "virDomainOpenChannel" }, { 226, "virDomainSendKey" }, { 227, "virNodeGetCPUStats" },
	{ 228, "virNodeGetMemoryStats" }, { 229, "virDomainGetControlInfo" },
	{ 230, "virDomainGetVcpuPinInfo" }, { 249, "virDomainOpenGraphics" },
	{ 281, "virConnectListAllStoragePools" }, { 283, "virConnectListAllNetworks" },
	{ 285, "virConnectListAllNodeDevices" }, { 313, "virConnectNetworkEventRegisterAny" },
	{ 338, "virDomainSetTime" },
	{ 368, "virConnectStoragePoolEventRegisterAny" }, { 374, "virConnectNodeDeviceEventRegisterAny" },
};

static const struct proc_entry *find_entry(int proc)
{
	for (size_t i = 0; i < G_N_ELEMENTS(table); i++)
		if (table[i].proc == proc)
			return &table[i];
	return NULL;
}

void dispatch_call(struct rpc_client *c, const struct tandem_header *hdr,
		   const uint8_t *payload, size_t len)
{
	const struct proc_entry *e = find_entry(hdr->proc);
	g_autoptr(GError) err = NULL;
	if (!e) {
		const char *api = NULL;
		for (size_t i = 0; i < G_N_ELEMENTS(unsupported_names) && !api; i++)
			if (unsupported_names[i].proc == hdr->proc)
				api = unsupported_names[i].api;
		if (api)
			drv_error(&err, VIR_ERR_NO_SUPPORT, "%s", api);
		else
			drv_error(&err, VIR_ERR_NO_SUPPORT, "remote procedure %d", hdr->proc);
		/* -v shows what clients (virt-manager) ask for that is missing */
		g_info("not supported: %s (procedure %d)", api ? api : "?", hdr->proc);
		rpc_client_reply_error(c, hdr, RPC_REPLY, err);
		return;
	}
	g_mutex_lock(&c->lock);
	bool opened = c->opened, ro = c->readonly;
	g_mutex_unlock(&c->lock);
	if (!opened && !e->before_open) {
		drv_error(&err, VIR_ERR_INTERNAL_ERROR, "hypervisor connection not open");
		rpc_client_reply_error(c, hdr, RPC_REPLY, err);
		return;
	}
	if (ro && e->ro_denied) {
		drv_error(&err, VIR_ERR_OPERATION_DENIED, "read only access prevents %s", e->ro_denied);
		rpc_client_reply_error(c, hdr, RPC_REPLY, err);
		return;
	}
	void *args = e->args_size ? g_malloc0(e->args_size) : NULL;
	void *ret = e->ret_size ? g_malloc0(e->ret_size) : NULL;
	bool decoded = true;
	if (e->args_xdr) {
		XDR x;
		xdrmem_create(&x, (char *)payload, (u_int)len, XDR_DECODE);
		decoded = e->args_xdr(&x, args, 0) && xdr_getpos(&x) == len;
		xdr_destroy(&x);
	} else {
		decoded = len == 0;
	}
	struct call call = { .client = c, .hdr = hdr };
	if (!decoded) {
		drv_error(&err, VIR_ERR_RPC, "Unable to decode message payload of procedure %d", hdr->proc);
		rpc_client_reply_error(c, hdr, RPC_REPLY, err);
	} else if (!e->fn(&call, args, ret, &err)) {
		rpc_client_reply_error(c, hdr, RPC_REPLY, err);
	} else {
		rpc_client_reply_ok(c, hdr, e->ret_xdr, ret);
		if (call.console)
			console_start(call.console);
	}
	if (args) {
		xdr_free(e->args_xdr, args);
		g_free(args);
	}
	if (ret) {
		xdr_free(e->ret_xdr, ret);
		g_free(ret);
	}
}

void dispatch_client_closed(struct rpc_client *c)
{
	events_client_gone(c);
	api_autodestroy_client(c->id);
}
