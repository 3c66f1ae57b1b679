/* api_host: handshake, connection and host APIs, event registration. */
#include "driver/api.h"
#include "driver/drv_def.h"
#include "driver/events.h"
#include "driver/store.h"
#include "vmm/kvm/kvm.h"

#include <libvirt/libvirt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TANDEM_VERSION_NUMBER 1000      /* 0.1.0 as major*1e6+minor*1e3+micro */
#define LIBVIRT_VERSION_NUMBER 9000000
/* event ids 0..26 exist in libvirt 9.0 (the _LAST sentinel is hidden) */
#define DRV_EVENT_ID_COUNT 27

static char *dup_c(const char *s)
{
	return strdup(s ? s : "");      /* XDR frees with free() */
}

API(api_auth_list)
{
	tandem_auth_list_ret *r = ret;
	r->types.types_len = 1;
	r->types.types_val = calloc(1, sizeof(int));   /* REMOTE_AUTH_NONE */
	return true;
}

API(api_supports_feature)
{
	tandem_supports_feature_args *a = args;
	tandem_int_ret *r = ret;
	switch (a->feature) {
	case 10:        /* PROGRAM_KEEPALIVE */
		g_mutex_lock(&call->client->lock);
		call->client->keepalive = true;
		g_mutex_unlock(&call->client->lock);
		r->value = 1;
		break;
	case 14:        /* REMOTE_EVENT_CALLBACK */
	case 15:        /* REMOTE_CLOSE_CALLBACK */
		r->value = 1;
		break;
	default:
		r->value = 0;
	}
	return true;
}

API(api_connect_open)
{
	tandem_open_args *a = args;
	const char *uri = a->name && *a->name ? *a->name : NULL;
	if (uri) {
		g_autoptr(GUri) u = g_uri_parse(uri, G_URI_FLAGS_NONE, NULL);
		const char *scheme = u ? g_uri_get_scheme(u) : NULL;
		const char *path = u ? g_uri_get_path(u) : NULL;
		if (!scheme || strcmp(scheme, "tandem") || (g_uri_get_host(u) && *g_uri_get_host(u)) ||
		    !path || (strcmp(path, "/system") && strcmp(path, "/session"))) {
			g_set_error(err, DRV_ERROR, VIR_ERR_NO_CONNECT,
				    "no connection driver available for %s", uri);
			return false;
		}
	}
	g_mutex_lock(&call->client->lock);
	call->client->opened = true;
	if (a->flags & 1)       /* VIR_CONNECT_RO */
		call->client->readonly = true;
	g_mutex_unlock(&call->client->lock);
	return true;
}

API(api_connect_close)
{
	events_client_gone(call->client);
	g_mutex_lock(&call->client->lock);
	call->client->opened = false;
	g_mutex_unlock(&call->client->lock);
	return true;
}

API(api_void_ok)
{
	return true;
}

API(api_get_uri)
{
	tandem_string_ret *r = ret;
	r->str = dup_c(dispatch_config.session ? "tandem:///session" : "tandem:///system");
	return true;
}

API(api_get_type)
{
	tandem_string_ret *r = ret;
	r->str = dup_c("TANDEM");
	return true;
}

API(api_get_version)
{
	((tandem_uhyper_ret *)ret)->value = TANDEM_VERSION_NUMBER;
	return true;
}

API(api_get_lib_version)
{
	((tandem_uhyper_ret *)ret)->value = LIBVIRT_VERSION_NUMBER;
	return true;
}

API(api_get_hostname)
{
	((tandem_string_ret *)ret)->str = dup_c(g_get_host_name());
	return true;
}

static char *host_uuid(void)
{
	g_autofree char *id = NULL;
	if (g_file_get_contents("/etc/machine-id", &id, NULL, NULL) && strlen(g_strstrip(id)) == 32)
		return g_strdup_printf("%.8s-%.4s-%.4s-%.4s-%.12s", id, id + 8, id + 12, id + 16, id + 20);
	return g_strdup("00000000-0000-4000-8000-000000000000");
}

static bool have_kvm(void)
{
	return drv_host_has_kvm();
}

API(api_get_capabilities)
{
	g_autofree char *uuid = host_uuid();
	g_autofree char *caps = g_strdup_printf(
		"<capabilities>\n"
		"  <host>\n"
		"    <uuid>%s</uuid>\n"
		"    <cpu>\n      <arch>x86_64</arch>\n    </cpu>\n"
		"    <power_management/>\n"
		"    <migration_features/>\n"
		"  </host>\n"
		"  <guest>\n"
		"    <os_type>hvm</os_type>\n"
		"    <arch name='x86_64'>\n"
		"      <wordsize>64</wordsize>\n"
		"      <emulator>%s</emulator>\n"
		"      <machine maxCpus='64'>pc</machine>\n"
		"      <domain type='qemu'/>\n"
		"%s"
		"    </arch>\n"
		"    <features>\n"
		"      <acpi default='on' toggle='yes'/>\n"
		"      <apic default='on' toggle='no'/>\n"
		"    </features>\n"
		"  </guest>\n"
		"</capabilities>\n",
		uuid, store.tandem, have_kvm() ? "      <domain type='kvm'/>\n" : "");
	((tandem_string_ret *)ret)->str = dup_c(caps);
	return true;
}

static uint64_t meminfo_kib(const char *key)
{
	g_autofree char *text = NULL;
	if (!g_file_get_contents("/proc/meminfo", &text, NULL, NULL))
		return 0;
	const char *p = strstr(text, key);
	return p ? g_ascii_strtoull(p + strlen(key), NULL, 10) : 0;
}

API(api_node_get_info)
{
	tandem_node_get_info_ret *r = ret;
	g_strlcpy(r->model, "x86_64", sizeof(r->model));
	r->memory = meminfo_kib("MemTotal:");
	r->cpus = (int)g_get_num_processors();
	r->mhz = 0;
	g_autofree char *cpuinfo = NULL;
	if (g_file_get_contents("/proc/cpuinfo", &cpuinfo, NULL, NULL)) {
		const char *p = strstr(cpuinfo, "cpu MHz");
		if (p && (p = strchr(p, ':')))
			r->mhz = (int)g_ascii_strtod(p + 1, NULL);
	}
	r->nodes = 1;
	r->sockets = 1;
	r->cores = r->cpus;
	r->threads = 1;
	return true;
}

API(api_get_domain_capabilities)
{
	tandem_get_domain_capabilities_args *a = args;
	const char *virttype = a->virttype && *a->virttype ? *a->virttype : (have_kvm() ? "kvm" : "qemu");
	const char *arch = a->arch && *a->arch ? *a->arch : "x86_64";
	if (!api_check_flags(a->flags, 0, "tandemConnectGetDomainCapabilities", err))
		return false;
	if (strcmp(virttype, "qemu") && strcmp(virttype, "kvm")) {
		drv_error(err, VIR_ERR_INVALID_ARG, "unknown virttype: %s", virttype);
		return false;
	}
	if (strcmp(arch, "x86_64")) {
		drv_error(err, VIR_ERR_NO_SUPPORT, "virConnectGetDomainCapabilities for arch %s", arch);
		return false;
	}
	g_autoptr(GError) kerr = NULL;
	if (!strcmp(virttype, "kvm") && !kvm_probe(&kerr)) {
		drv_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "virttype kvm: %s", kerr->message);
		return false;
	}
	g_autofree char *xml = g_strdup_printf(
		"<domainCapabilities>\n"
		"  <path>%s</path>\n"
		"  <domain>%s</domain>\n"
		"  <machine>pc</machine>\n"
		"  <arch>x86_64</arch>\n"
		"  <vcpu max='64'/>\n"
		"  <iothreads supported='no'/>\n"
		"  <os supported='yes'>\n    <enum name='firmware'/>\n  </os>\n"
		"  <devices>\n"
		"    <disk supported='yes'>\n"
		"      <enum name='diskDevice'><value>disk</value></enum>\n"
		"      <enum name='bus'><value>virtio</value></enum>\n"
		"      <enum name='model'/>\n"
		"    </disk>\n"
		"    <graphics supported='no'/>\n"
		"    <video supported='no'/>\n"
		"    <hostdev supported='no'/>\n"
		"  </devices>\n"
		"  <features>\n"
		"    <gic supported='no'/>\n    <vmcoreinfo supported='no'/>\n"
		"    <genid supported='no'/>\n    <sev supported='no'/>\n"
		"  </features>\n"
		"</domainCapabilities>\n",
		store.tandem, virttype);
	((tandem_string_ret *)ret)->str = dup_c(xml);
	return true;
}

API(api_node_get_security_model)
{
	/* no security driver: two empty strings */
	return true;
}

API(api_node_get_free_memory)
{
	((tandem_uhyper_ret *)ret)->value = meminfo_kib("MemAvailable:") * 1024;
	return true;
}

API(api_get_max_vcpus)
{
	((tandem_int_ret *)ret)->value = 64;
	return true;
}

API(api_is_secure)
{
	((tandem_int_ret *)ret)->value = 1;     /* a local unix socket */
	return true;
}

API(api_event_register_any_cb)
{
	tandem_event_callback_register_any_args *a = args;
	if (a->eventID < 0 || a->eventID >= DRV_EVENT_ID_COUNT) {
		drv_error(err, VIR_ERR_INVALID_ARG, "unsupported event ID %d", a->eventID);
		return false;
	}
	((tandem_event_callback_register_any_ret *)ret)->callbackID =
		events_register(call->client, a->eventID, a->dom ? (const unsigned char *)a->dom->uuid : NULL);
	return true;
}

API(api_event_deregister_any_cb)
{
	tandem_event_callback_deregister_any_args *a = args;
	if (!events_deregister(call->client, a->callbackID)) {
		drv_error(err, VIR_ERR_INVALID_ARG, "callback %d not registered", a->callbackID);
		return false;
	}
	return true;
}

API(api_event_register_any)
{
	tandem_event_register_any_args *a = args;
	if (a->eventID < 0 || a->eventID >= DRV_EVENT_ID_COUNT) {
		drv_error(err, VIR_ERR_INVALID_ARG, "unsupported event ID %d", a->eventID);
		return false;
	}
	events_register_legacy(call->client, a->eventID);
	return true;
}

API(api_event_deregister_any)
{
	tandem_event_register_any_args *a = args;
	if (!events_deregister_legacy(call->client, a->eventID)) {
		drv_error(err, VIR_ERR_INTERNAL_ERROR, "domain event %d not registered", a->eventID);
		return false;
	}
	return true;
}

API(api_event_register)
{
	events_register_legacy(call->client, VIR_DOMAIN_EVENT_ID_LIFECYCLE);
	((tandem_event_register_ret *)ret)->cb_registered = 1;
	return true;
}

API(api_event_deregister)
{
	events_deregister_legacy(call->client, VIR_DOMAIN_EVENT_ID_LIFECYCLE);
	((tandem_event_register_ret *)ret)->cb_registered = 0;
	return true;
}
