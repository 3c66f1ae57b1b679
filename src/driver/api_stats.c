/* api_stats: statistics for monitoring clients (virt-manager's graphs,
 * `virsh domstats`, `dommemstat`, `domjobinfo`).
 *
 * tandem has no balloon driver, no migration and no save, so what can be
 * known from outside the guest is what is reported: the state, the tandem
 * process's CPU time and resident memory, the configured memory and vCPUs.
 * GetAllDomainStats answers the groups state, cpu-total, balloon and vcpu
 * (others are left out, or refused with ENFORCE_STATS, as libvirt does);
 * job queries always report "no job" for a running domain. */
#include "driver/api.h"

#include <libvirt/libvirt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STATS_SUPPORTED (VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL | \
			 VIR_DOMAIN_STATS_BALLOON | VIR_DOMAIN_STATS_VCPU)
#define STATS_FILTERS (VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE | VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE | \
		       VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT | VIR_CONNECT_GET_ALL_DOMAINS_STATS_TRANSIENT | \
		       VIR_CONNECT_GET_ALL_DOMAINS_STATS_RUNNING | VIR_CONNECT_GET_ALL_DOMAINS_STATS_PAUSED | \
		       VIR_CONNECT_GET_ALL_DOMAINS_STATS_SHUTOFF | VIR_CONNECT_GET_ALL_DOMAINS_STATS_OTHER)

/* User and system CPU time (ns) of a process, false if it cannot be read. */
static bool stats_proc_cpu(pid_t pid, uint64_t *user, uint64_t *sys)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	g_autofree char *text = NULL;
	if (!pid || !g_file_get_contents(path, &text, NULL, NULL))
		return false;
	const char *p = strrchr(text, ')');
	if (!p)
		return false;
	g_auto(GStrv) f = g_strsplit(p + 2, " ", 0);
	if (g_strv_length(f) < 13)
		return false;
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t ns_per_tick = 1000000000ULL / (uint64_t)(hz > 0 ? hz : 100);
	*user = g_ascii_strtoull(f[11], NULL, 10) * ns_per_tick;
	*sys = g_ascii_strtoull(f[12], NULL, 10) * ns_per_tick;
	return true;
}

/* Resident memory of a process in KiB, 0 if it cannot be read. */
static uint64_t stats_proc_rss_kib(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	g_autofree char *text = NULL;
	if (!pid || !g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	unsigned long long size, resident;
	if (sscanf(text, "%llu %llu", &size, &resident) != 2)
		return 0;
	long page = sysconf(_SC_PAGESIZE);
	return resident * (uint64_t)(page > 0 ? page : 4096) / 1024;
}

API(api_memory_stats)
{
	tandem_domain_memory_stats_args *a = args;
	tandem_domain_memory_stats_ret *r = ret;
	if (!api_check_flags(a->flags, 0, "tandemDomainMemoryStats", err))
		return false;
	if (a->maxStats > TANDEM_MEMORY_STATS_MAX) {
		drv_error(err, VIR_ERR_RPC, "maxStats > REMOTE_DOMAIN_MEMORY_STATS_MAX");
		return false;
	}
	struct domain *d = api_get_domain(&a->dom, err);
	if (!d)
		return false;
	g_mutex_lock(&d->lock);
	bool ok = domain_is_active(d);
	if (!ok) {
		drv_error(err, VIR_ERR_OPERATION_INVALID, "domain is not running");
	} else {
		/* no balloon: "actual" is the configured current memory */
		tandem_domain_memory_stat all[] = {
			{ VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON, drv_def_current_memory_kib(d->def) },
			{ VIR_DOMAIN_MEMORY_STAT_RSS, stats_proc_rss_kib(d->pid) },
		};
		unsigned n = MIN(a->maxStats, (unsigned)G_N_ELEMENTS(all));
		r->stats.stats_val = calloc(n ? n : 1, sizeof(*all));
		memcpy(r->stats.stats_val, all, n * sizeof(*all));
		r->stats.stats_len = n;
	}
	g_mutex_unlock(&d->lock);
	domain_unref(d);
	return ok;
}

/* A running domain never has a job a client can see (no migration, save
 * or dump); an inactive one has none to ask about. */
static struct domain *stats_job_domain(const tandem_nonnull_domain *dom, bool completed, GError **err)
{
	struct domain *d = api_get_domain(dom, err);
	if (!d)
		return NULL;
	g_mutex_lock(&d->lock);
	bool active = domain_is_active(d);
	g_mutex_unlock(&d->lock);
	if (!active && !completed) {
		drv_error(err, VIR_ERR_OPERATION_INVALID, "domain is not running");
		domain_unref(d);
		return NULL;
	}
	return d;
}

API(api_get_job_info)
{
	tandem_dom_args *a = args;
	struct domain *d = stats_job_domain(&a->dom, false, err);
	if (!d)
		return false;
	((tandem_domain_get_job_info_ret *)ret)->type = VIR_DOMAIN_JOB_NONE;
	domain_unref(d);
	return true;
}

API(api_get_job_stats)
{
	tandem_dom_flags_args *a = args;
	if (!api_check_flags(a->flags, VIR_DOMAIN_JOB_STATS_COMPLETED | VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED,
			     "tandemDomainGetJobStats", err))
		return false;
	struct domain *d = stats_job_domain(&a->dom, a->flags & VIR_DOMAIN_JOB_STATS_COMPLETED, err);
	if (!d)
		return false;
	((tandem_domain_get_job_stats_ret *)ret)->type = VIR_DOMAIN_JOB_NONE;
	domain_unref(d);
	return true;
}

/* ---- GetAllDomainStats ---- */

struct stats_params {
	tandem_typed_param *v;
	unsigned n, cap;
};

static tandem_typed_param *stats_add(struct stats_params *p, int type, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static tandem_typed_param *stats_add(struct stats_params *p, int type, const char *fmt, ...)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->v = realloc(p->v, p->cap * sizeof(*p->v));
		if (!p->v)
			g_error("out of memory for %u statistics", p->cap);
	}
	tandem_typed_param *t = &p->v[p->n++];
	memset(t, 0, sizeof(*t));
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&t->field, fmt, ap) < 0)
		g_error("out of memory formatting a statistic's name");
	va_end(ap);
	t->value.type = type;
	return t;
}

static void stats_int(struct stats_params *p, const char *name, int v)
{
	stats_add(p, VIR_TYPED_PARAM_INT, "%s", name)->value.tandem_typed_param_value_u.i = v;
}

static void stats_uint(struct stats_params *p, const char *name, unsigned v)
{
	stats_add(p, VIR_TYPED_PARAM_UINT, "%s", name)->value.tandem_typed_param_value_u.ui = v;
}

static void stats_ullong(struct stats_params *p, const char *name, uint64_t v)
{
	stats_add(p, VIR_TYPED_PARAM_ULLONG, "%s", name)->value.tandem_typed_param_value_u.ul = v;
}

/* One domain's record, in libvirt's field names and types. d->lock held. */
static void stats_domain(struct domain *d, unsigned groups, struct stats_params *p)
{
	bool active = domain_is_active(d);
	uint64_t user = 0, sys = 0;
	bool have_cpu = active && stats_proc_cpu(d->pid, &user, &sys);
	if (groups & VIR_DOMAIN_STATS_STATE) {
		stats_int(p, "state.state", d->state);
		stats_int(p, "state.reason", d->reason);
	}
	if ((groups & VIR_DOMAIN_STATS_CPU_TOTAL) && have_cpu) {
		stats_ullong(p, "cpu.time", user + sys);
		stats_ullong(p, "cpu.user", user);
		stats_ullong(p, "cpu.system", sys);
	}
	if (groups & VIR_DOMAIN_STATS_BALLOON) {
		stats_ullong(p, "balloon.current", drv_def_current_memory_kib(d->def));
		stats_ullong(p, "balloon.maximum", drv_def_memory_kib(d->def));
		if (active)
			stats_ullong(p, "balloon.rss", stats_proc_rss_kib(d->pid));
	}
	if (groups & VIR_DOMAIN_STATS_VCPU) {
		unsigned n = drv_def_vcpus(d->def);
		stats_uint(p, "vcpu.current", n);
		stats_uint(p, "vcpu.maximum", n);
		/* one host thread runs every vCPU: its time is split evenly */
		for (unsigned i = 0; active && i < n; i++) {
			/* online vCPUs of an active domain, paused or not (as GetVcpus) */
			stats_add(p, VIR_TYPED_PARAM_INT, "vcpu.%u.state", i)->value.tandem_typed_param_value_u.i =
				VIR_VCPU_RUNNING;
			stats_add(p, VIR_TYPED_PARAM_ULLONG, "vcpu.%u.time", i)->value.tandem_typed_param_value_u.ul =
				(user + sys) / n;
		}
	}
}

static void stats_record(tandem_get_all_domain_stats_ret *r, struct domain *d, unsigned groups)
{
	tandem_domain_stats_record *rec = &r->retStats.retStats_val[r->retStats.retStats_len++];
	struct stats_params p = { 0 };
	api_make_dom(&rec->dom, d);
	stats_domain(d, groups, &p);
	rec->params.params_val = p.v;
	rec->params.params_len = p.n;
}

API(api_get_all_domain_stats)
{
	tandem_get_all_domain_stats_args *a = args;
	tandem_get_all_domain_stats_ret *r = ret;
	unsigned allowed = STATS_FILTERS | VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT |
			   VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING | VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS;
	if (!api_check_flags(a->flags, allowed, "tandemConnectGetAllDomainStats", err))
		return false;
	unsigned groups = a->stats;
	if ((a->flags & VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS) && (groups & ~STATS_SUPPORTED)) {
		drv_error(err, VIR_ERR_ARGUMENT_UNSUPPORTED, "Stats types bits 0x%x are not supported by this daemon",
			  groups & ~STATS_SUPPORTED);
		return false;
	}
	groups = groups ? groups & STATS_SUPPORTED : STATS_SUPPORTED;

	GPtrArray *list;
	if (a->doms.doms_len) {
		/* virDomainListGetStats: the given domains, those that still exist */
		list = g_ptr_array_new();
		for (u_int i = 0; i < a->doms.doms_len; i++) {
			struct domain *d = domains_find_uuid((const unsigned char *)a->doms.doms_val[i].uuid);
			if (d)
				g_ptr_array_add(list, d);
		}
	} else {
		list = domains_list();
	}
	r->retStats.retStats_val = calloc(list->len ? list->len : 1, sizeof(tandem_domain_stats_record));
	for (guint i = 0; i < list->len; i++) {
		struct domain *d = g_ptr_array_index(list, i);
		g_mutex_lock(&d->lock);
		if (!d->removed && api_list_match(d, a->flags & STATS_FILTERS))
			stats_record(r, d, groups);
		g_mutex_unlock(&d->lock);
	}
	domains_list_free(list);
	return true;
}
