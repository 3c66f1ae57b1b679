/* api_query: listing, lookups and per-domain queries (no state change
 * except autostart and metadata, which only touch the config). */
#include "driver/api.h"
#include "driver/store.h"

#include <libvirt/libvirt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool api_check_flags(unsigned flags, unsigned allowed, const char *fn, GError **err)
{
	if (flags & ~allowed) {
		drv_error(err, VIR_ERR_INVALID_ARG, "unsupported flags (0x%x) in function %s",
			  flags & ~allowed, fn);
		return false;
	}
	return true;
}

struct domain *api_get_domain(const tandem_nonnull_domain *dom, GError **err)
{
	struct domain *d = domains_find_uuid((const unsigned char *)dom->uuid);
	if (!d) {
		char us[37];
		dom_uuid_format((const unsigned char *)dom->uuid, us);
		drv_error(err, VIR_ERR_NO_DOMAIN, "no domain with matching uuid '%s' (%s)", us,
			  dom->name ? dom->name : "");
	}
	return d;
}

void api_make_dom(tandem_nonnull_domain *out, struct domain *d)
{
	out->name = strdup(d->name);
	memcpy(out->uuid, d->uuid, 16);
	out->id = d->id;
}

/* Does d pass the LIST_ALL_DOMAINS filter groups? d->lock held. */
bool api_list_match(struct domain *d, unsigned f)
{
	bool active = domain_is_active(d);
#define GROUP(a, b, va, vb) if ((f & ((a) | (b))) && !(((f & (a)) && (va)) || ((f & (b)) && (vb)))) return false
	GROUP(VIR_CONNECT_LIST_DOMAINS_ACTIVE, VIR_CONNECT_LIST_DOMAINS_INACTIVE, active, !active);
	GROUP(VIR_CONNECT_LIST_DOMAINS_PERSISTENT, VIR_CONNECT_LIST_DOMAINS_TRANSIENT, d->persistent, !d->persistent);
	GROUP(VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE, VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE, false, true);
	GROUP(VIR_CONNECT_LIST_DOMAINS_AUTOSTART, VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART, d->autostart, !d->autostart);
	GROUP(VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT, VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT, false, true);
	GROUP(VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT, VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT, false, true);
#undef GROUP
	unsigned states = f & (VIR_CONNECT_LIST_DOMAINS_RUNNING | VIR_CONNECT_LIST_DOMAINS_PAUSED |
			       VIR_CONNECT_LIST_DOMAINS_SHUTOFF | VIR_CONNECT_LIST_DOMAINS_OTHER);
	if (states) {
		bool ok = ((states & VIR_CONNECT_LIST_DOMAINS_RUNNING) && d->state == VIR_DOMAIN_RUNNING) ||
			  ((states & VIR_CONNECT_LIST_DOMAINS_PAUSED) && d->state == VIR_DOMAIN_PAUSED) ||
			  ((states & VIR_CONNECT_LIST_DOMAINS_SHUTOFF) && d->state == VIR_DOMAIN_SHUTOFF) ||
			  ((states & VIR_CONNECT_LIST_DOMAINS_OTHER) && d->state != VIR_DOMAIN_RUNNING &&
			   d->state != VIR_DOMAIN_PAUSED && d->state != VIR_DOMAIN_SHUTOFF);
		if (!ok)
			return false;
	}
	return true;
}

API(api_list_all_domains)
{
	tandem_list_all_domains_args *a = args;
	tandem_list_all_domains_ret *r = ret;
	if (!api_check_flags(a->flags, 0xffff, "tandemConnectListAllDomains", err))
		return false;
	GPtrArray *all = domains_list();
	r->domains.domains_val = calloc(all->len ? all->len : 1, sizeof(tandem_nonnull_domain));
	unsigned n = 0;
	for (guint i = 0; i < all->len; i++) {
		struct domain *d = g_ptr_array_index(all, i);
		g_mutex_lock(&d->lock);
		if (!d->removed && api_list_match(d, a->flags)) {
			if (a->need_results)
				api_make_dom(&r->domains.domains_val[r->domains.domains_len++], d);
			n++;
		}
		g_mutex_unlock(&d->lock);
	}
	domains_list_free(all);
	r->ret = n;
	return true;
}

static GPtrArray *collect(bool active)
{
	GPtrArray *all = domains_list();
	GPtrArray *out = g_ptr_array_new();
	for (guint i = 0; i < all->len; i++) {
		struct domain *d = g_ptr_array_index(all, i);
		g_mutex_lock(&d->lock);
		if (!d->removed && domain_is_active(d) == active)
			g_ptr_array_add(out, active ? GINT_TO_POINTER(d->id) : (gpointer)g_strdup(d->name));
		g_mutex_unlock(&d->lock);
	}
	domains_list_free(all);
	return out;
}

API(api_num_of_domains)
{
	GPtrArray *a = collect(true);
	((tandem_int_ret *)ret)->value = (int)a->len;
	g_ptr_array_free(a, TRUE);
	return true;
}

API(api_list_domains)
{
	tandem_max_args *m = args;
	tandem_list_ids_ret *r = ret;
	if (m->max < 0 || m->max > TANDEM_DOMAIN_LIST_MAX) {
		drv_error(err, VIR_ERR_RPC, "maxids > REMOTE_DOMAIN_LIST_MAX");
		return false;
	}
	GPtrArray *a = collect(true);
	r->ids.ids_val = calloc(a->len ? a->len : 1, sizeof(int));
	for (guint i = 0; i < a->len && (int)i < m->max; i++)
		r->ids.ids_val[r->ids.ids_len++] = GPOINTER_TO_INT(g_ptr_array_index(a, i));
	g_ptr_array_free(a, TRUE);
	return true;
}

API(api_num_of_defined_domains)
{
	GPtrArray *a = collect(false);
	((tandem_int_ret *)ret)->value = (int)a->len;
	for (guint i = 0; i < a->len; i++)
		g_free(g_ptr_array_index(a, i));
	g_ptr_array_free(a, TRUE);
	return true;
}

API(api_list_defined_domains)
{
	tandem_max_args *m = args;
	tandem_list_names_ret *r = ret;
	if (m->max < 0 || m->max > TANDEM_DOMAIN_LIST_MAX) {
		drv_error(err, VIR_ERR_RPC, "maxnames > REMOTE_DOMAIN_LIST_MAX");
		return false;
	}
	GPtrArray *a = collect(false);
	r->names.names_val = calloc(a->len ? a->len : 1, sizeof(char *));
	for (guint i = 0; i < a->len; i++) {
		char *name = g_ptr_array_index(a, i);
		if ((int)i < m->max)
			r->names.names_val[r->names.names_len++] = strdup(name);
		g_free(name);
	}
	g_ptr_array_free(a, TRUE);
	return true;
}

static bool lookup_reply(struct domain *d, void *ret)
{
	g_mutex_lock(&d->lock);
	api_make_dom(&((tandem_domain_ret *)ret)->dom, d);
	g_mutex_unlock(&d->lock);
	domain_unref(d);
	return true;
}

API(api_lookup_by_name)
{
	tandem_lookup_by_name_args *a = args;
	struct domain *d = domains_find_name(a->name);
	if (!d) {
		drv_error(err, VIR_ERR_NO_DOMAIN, "no domain with matching name '%s'", a->name);
		return false;
	}
	return lookup_reply(d, ret);
}

API(api_lookup_by_uuid)
{
	tandem_lookup_by_uuid_args *a = args;
	struct domain *d = domains_find_uuid((const unsigned char *)a->uuid);
	if (!d) {
		char us[37];
		dom_uuid_format((const unsigned char *)a->uuid, us);
		drv_error(err, VIR_ERR_NO_DOMAIN, "no domain with matching uuid '%s'", us);
		return false;
	}
	return lookup_reply(d, ret);
}

API(api_lookup_by_id)
{
	tandem_lookup_by_id_args *a = args;
	struct domain *d = domains_find_id(a->id);
	if (!d) {
		drv_error(err, VIR_ERR_NO_DOMAIN, "no domain with matching id %d", a->id);
		return false;
	}
	return lookup_reply(d, ret);
}

/* Common head of per-domain queries: flags, lookup, lock. */
#define QUERY_BEGIN(argtype, flagsexpr, allowed, fn)                          \
	argtype *a = args;                                                     \
	if (!api_check_flags((flagsexpr), (allowed), fn, err))                  \
		return false;                                                  \
	struct domain *d = api_get_domain(&a->dom, err);                       \
	if (!d)                                                                \
		return false;                                                  \
	g_mutex_lock(&d->lock)
#define QUERY_END()                                                            \
	g_mutex_unlock(&d->lock);                                              \
	domain_unref(d)

API(api_get_state)
{
	QUERY_BEGIN(tandem_dom_flags_args, a->flags, 0, "tandemDomainGetState");
	tandem_domain_get_state_ret *r = ret;
	r->state = d->state;
	r->reason = d->reason;
	QUERY_END();
	return true;
}

static uint64_t cpu_time_ns(struct domain *d)
{
	if (!d->pid)
		return 0;
	g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)d->pid);
	g_autofree char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	char *p = strrchr(text, ')');
	if (!p)
		return 0;
	g_auto(GStrv) f = g_strsplit(p + 2, " ", 0);
	if (g_strv_length(f) < 13)
		return 0;
	uint64_t ticks = g_ascii_strtoull(f[11], NULL, 10) + g_ascii_strtoull(f[12], NULL, 10);
	long hz = sysconf(_SC_CLK_TCK);
	return ticks * (1000000000ULL / (uint64_t)(hz > 0 ? hz : 100));
}

API(api_get_info)
{
	QUERY_BEGIN(tandem_dom_args, 0, 0, "tandemDomainGetInfo");
	tandem_domain_get_info_ret *r = ret;
	r->state = (u_char)d->state;
	r->maxMem = drv_def_memory_kib(d->def);
	r->memory = drv_def_current_memory_kib(d->def);
	r->nrVirtCpu = (u_short)drv_def_vcpus(d->def);
	r->cpuTime = cpu_time_ns(d);
	QUERY_END();
	return true;
}

API(api_get_os_type)
{
	QUERY_BEGIN(tandem_dom_args, 0, 0, "tandemDomainGetOSType");
	((tandem_string_ret *)ret)->str = strdup("hvm");
	QUERY_END();
	return true;
}

API(api_is_active)
{
	QUERY_BEGIN(tandem_dom_args, 0, 0, "tandemDomainIsActive");
	((tandem_int_ret *)ret)->value = domain_is_active(d);
	QUERY_END();
	return true;
}

API(api_is_persistent)
{
	QUERY_BEGIN(tandem_dom_args, 0, 0, "tandemDomainIsPersistent");
	((tandem_int_ret *)ret)->value = d->persistent;
	QUERY_END();
	return true;
}

API(api_is_updated)
{
	QUERY_BEGIN(tandem_dom_args, 0, 0, "tandemDomainIsUpdated");
	((tandem_int_ret *)ret)->value = 0;
	QUERY_END();
	return true;
}

API(api_get_autostart)
{
	QUERY_BEGIN(tandem_dom_args, 0, 0, "tandemDomainGetAutostart");
	((tandem_int_ret *)ret)->value = d->autostart;
	QUERY_END();
	return true;
}

API(api_set_autostart)
{
	QUERY_BEGIN(tandem_dom_int_args, 0, 0, "tandemDomainSetAutostart");
	bool ok = true;
	if (!d->persistent) {
		drv_error(err, VIR_ERR_OPERATION_INVALID, "cannot set autostart for transient domain");
		ok = false;
	} else if (d->autostart != (a->value != 0)) {
		ok = store_set_autostart(d, a->value != 0, err);
		if (ok)
			d->autostart = a->value != 0;
	}
	QUERY_END();
	return ok;
}

API(api_get_xml_desc)
{
	unsigned allowed = VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_UPDATE_CPU |
			   VIR_DOMAIN_XML_MIGRATABLE;
	QUERY_BEGIN(tandem_dom_flags_args, a->flags, allowed, "tandemDomainGetXMLDesc");
	bool ok = true;
	g_mutex_lock(&call->client->lock);
	bool ro = call->client->readonly;
	g_mutex_unlock(&call->client->lock);
	if (ro && (a->flags & (VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_MIGRATABLE))) {
		drv_error(err, VIR_ERR_OPERATION_DENIED, "read only access prevents virDomainGetXMLDesc with secure flag");
		ok = false;
	} else {
		bool inactive = (a->flags & (VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_MIGRATABLE)) != 0;
		const struct drv_def *def = inactive && d->newdef ? d->newdef : d->def;
		g_autofree char *xml = drv_def_format(def, inactive ? -1 : d->id, d->pty, a->flags);
		((tandem_string_ret *)ret)->str = strdup(xml);
	}
	QUERY_END();
	return ok;
}

API(api_has_managed_save)
{
	QUERY_BEGIN(tandem_dom_flags_args, a->flags, 0, "tandemDomainHasManagedSaveImage");
	((tandem_int_ret *)ret)->value = 0;
	QUERY_END();
	return true;
}

API(api_snapshot_num)
{
	QUERY_BEGIN(tandem_dom_flags_args, a->flags, 0xffff, "tandemDomainSnapshotNum");
	((tandem_int_ret *)ret)->value = 0;
	QUERY_END();
	return true;
}

API(api_list_all_snapshots)
{
	QUERY_BEGIN(tandem_list_all_snapshots_args, a->flags, 0xffff, "tandemDomainListAllSnapshots");
	((tandem_list_all_snapshots_ret *)ret)->ret = 0;
	QUERY_END();
	return true;
}

API(api_get_messages)
{
	QUERY_BEGIN(tandem_dom_flags_args, a->flags, 3, "tandemDomainGetMessages");
	QUERY_END();
	return true;
}

API(api_get_security_label)
{
	QUERY_BEGIN(tandem_dom_args, 0, 0, "tandemDomainGetSecurityLabel");
	QUERY_END();
	return true;
}

API(api_get_max_memory)
{
	QUERY_BEGIN(tandem_dom_args, 0, 0, "tandemDomainGetMaxMemory");
	((tandem_uhyper_ret *)ret)->value = drv_def_memory_kib(d->def);
	QUERY_END();
	return true;
}

API(api_dom_get_max_vcpus)
{
	QUERY_BEGIN(tandem_dom_args, 0, 0, "tandemDomainGetMaxVcpus");
	((tandem_int_ret *)ret)->value = (int)drv_def_vcpus(d->def);
	QUERY_END();
	return true;
}

API(api_get_vcpus_flags)
{
	unsigned allowed = VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_VCPU_MAXIMUM |
			   VIR_DOMAIN_VCPU_GUEST;
	QUERY_BEGIN(tandem_dom_flags_args, a->flags, allowed, "tandemDomainGetVcpusFlags");
	bool ok = true;
	if ((a->flags & VIR_DOMAIN_AFFECT_LIVE) && !domain_is_active(d)) {
		drv_error(err, VIR_ERR_OPERATION_INVALID, "domain is not running");
		ok = false;
	} else if (a->flags & VIR_DOMAIN_VCPU_GUEST) {
		drv_error(err, VIR_ERR_OPERATION_UNSUPPORTED, "no guest agent to query vCPUs");
		ok = false;
	} else {
		const struct drv_def *def = (a->flags & VIR_DOMAIN_AFFECT_CONFIG) && d->newdef ? d->newdef : d->def;
		((tandem_int_ret *)ret)->value = (int)drv_def_vcpus(def);
	}
	QUERY_END();
	return ok;
}

API(api_get_vcpus)
{
	QUERY_BEGIN(tandem_domain_get_vcpus_args, 0, 0, "tandemDomainGetVcpus");
	tandem_domain_get_vcpus_ret *r = ret;
	bool ok = true;
	if (!domain_is_active(d)) {
		drv_error(err, VIR_ERR_OPERATION_INVALID, "cannot list vcpu pinning for an inactive domain");
		ok = false;
	} else if (a->maxinfo < 0 || a->maxinfo > TANDEM_VCPUINFO_MAX || a->maplen < 0 ||
		   (int64_t)a->maxinfo * a->maplen > TANDEM_CPUMAPS_MAX) {
		drv_error(err, VIR_ERR_RPC, "maxinfo or maplen out of range");
		ok = false;
	} else {
		unsigned n = MIN(drv_def_vcpus(d->def), (unsigned)a->maxinfo);
		long hostcpus = (long)g_get_num_processors();
		r->info.info_val = calloc(n ? n : 1, sizeof(tandem_vcpu_info));
		r->info.info_len = n;
		uint64_t t = cpu_time_ns(d);
		for (unsigned i = 0; i < n; i++) {
			r->info.info_val[i].number = i;
			r->info.info_val[i].state = 1;  /* VIR_VCPU_RUNNING */
			r->info.info_val[i].cpu_time = t / (n ? n : 1);
			r->info.info_val[i].cpu = -1;
		}
		size_t maplen = (size_t)a->maxinfo * (size_t)a->maplen;
		r->cpumaps.cpumaps_val = calloc(maplen ? maplen : 1, 1);
		r->cpumaps.cpumaps_len = (u_int)maplen;
		for (unsigned v = 0; v < n; v++)
			for (long c = 0; c < hostcpus && c / 8 < a->maplen; c++)
				r->cpumaps.cpumaps_val[v * a->maplen + c / 8] |= (char)(1 << (c % 8));
	}
	QUERY_END();
	return ok;
}

API(api_get_metadata)
{
	QUERY_BEGIN(tandem_domain_get_metadata_args, a->flags,
		    VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, "tandemDomainGetMetadata");
	const struct drv_def *def = (a->flags & VIR_DOMAIN_AFFECT_CONFIG) && d->newdef ? d->newdef : d->def;
	char *v = drv_def_get_metadata(def, a->type, a->uri ? *a->uri : NULL, err);
	if (v) {
		((tandem_string_ret *)ret)->str = strdup(v);
		g_free(v);
	}
	QUERY_END();
	return v != NULL;
}

API(api_set_metadata)
{
	QUERY_BEGIN(tandem_domain_set_metadata_args, a->flags,
		    VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, "tandemDomainSetMetadata");
	bool ok = true;
	const char *val = a->metadata ? *a->metadata : NULL;
	const char *key = a->key ? *a->key : NULL;
	const char *uri = a->uri ? *a->uri : NULL;
	bool live = (a->flags & VIR_DOMAIN_AFFECT_LIVE) || (!(a->flags & VIR_DOMAIN_AFFECT_CONFIG) && domain_is_active(d));
	bool config = (a->flags & VIR_DOMAIN_AFFECT_CONFIG) || (!(a->flags & VIR_DOMAIN_AFFECT_LIVE) && !domain_is_active(d));
	if (live && !domain_is_active(d)) {
		drv_error(err, VIR_ERR_OPERATION_INVALID, "domain is not running");
		ok = false;
	} else if (config && !d->persistent) {
		drv_error(err, VIR_ERR_OPERATION_INVALID, "transient domains do not have any persistent config");
		ok = false;
	}
	if (ok && live)
		ok = drv_def_set_metadata(d->def, a->type, val, key, uri, err);
	if (ok && config) {
		struct drv_def *cfg = domain_is_active(d) ? d->newdef : d->def;
		if (domain_is_active(d) && !cfg)
			cfg = d->newdef = drv_def_copy(d->def);
		if (cfg != d->def || !live)
			ok = drv_def_set_metadata(cfg, a->type, val, key, uri, err);
		if (ok)
			ok = store_save_config(d, err);
	}
	if (ok && domain_is_active(d))
		store_save_status(d, NULL);
	QUERY_END();
	return ok;
}
