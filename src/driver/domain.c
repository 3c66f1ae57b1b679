/* domain: objects, job lock, the global list. */
#include "driver/domain.h"
#include "driver/drv_error.h"

#include <libvirt/libvirt.h>
#include <string.h>

#define JOB_WAIT_US (30 * G_USEC_PER_SEC)

static GMutex list_lock;
static GPtrArray *list;         /* definition order, for listings */
/* lookups by uuid and name (keys live in the objects): O(1) per call keeps
 * `virsh list --all` linear in the number of domains (one GetState each) */
static GHashTable *by_uuid, *by_name;
static int next_id = 1;

struct domain *domain_ref(struct domain *d)
{
	g_atomic_int_inc(&d->refs);
	return d;
}

void domain_unref(struct domain *d)
{
	if (!d || !g_atomic_int_dec_and_test(&d->refs))
		return;
	drv_def_free(d->def);
	drv_def_free(d->newdef);
	g_free(d->name);
	g_free(d->pty);
	g_mutex_clear(&d->lock);
	g_cond_clear(&d->cond);
	g_free(d);
}

bool domain_begin_job(struct domain *d, GError **err)
{
	gint64 deadline = g_get_monotonic_time() + JOB_WAIT_US;
	while (d->job) {
		if (!g_cond_wait_until(&d->cond, &d->lock, deadline)) {
			drv_error(err, VIR_ERR_OPERATION_TIMEOUT, "cannot acquire state change lock");
			return false;
		}
	}
	if (d->removed) {
		drv_error(err, VIR_ERR_NO_DOMAIN, "no domain with matching name '%s'", d->name);
		return false;
	}
	d->job = true;
	return true;
}

void domain_end_job(struct domain *d)
{
	d->job = false;
	g_cond_broadcast(&d->cond);
}

bool domain_is_active(const struct domain *d)
{
	return d->state != VIR_DOMAIN_SHUTOFF && d->state != VIR_DOMAIN_NOSTATE;
}

void domain_set_state(struct domain *d, int state, int reason)
{
	d->state = state;
	d->reason = reason;
}

static guint uuid_hash(gconstpointer k)
{
	const unsigned char *u = k;
	guint h = 2166136261u;          /* FNV-1a: uuids given by users need not be random */
	for (int i = 0; i < 16; i++)
		h = (h ^ u[i]) * 16777619u;
	return h;
}

static gboolean uuid_equal(gconstpointer a, gconstpointer b)
{
	return !memcmp(a, b, 16);
}

void domains_init(void)
{
	list = g_ptr_array_new();
	by_uuid = g_hash_table_new(uuid_hash, uuid_equal);
	by_name = g_hash_table_new(g_str_hash, g_str_equal);
}

void dom_uuid_format(const unsigned char u[16], char out[37])
{
	g_snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		   u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
		   u[12], u[13], u[14], u[15]);
}

static struct domain *find(gboolean (*match)(struct domain *, const void *), const void *key)
{
	struct domain *r = NULL;
	g_mutex_lock(&list_lock);
	for (guint i = 0; i < list->len; i++) {
		struct domain *d = g_ptr_array_index(list, i);
		if (match(d, key)) {
			r = domain_ref(d);
			break;
		}
	}
	g_mutex_unlock(&list_lock);
	return r;
}

static gboolean match_id(struct domain *d, const void *k) { return d->id >= 0 && d->id == *(const int *)k; }

static struct domain *find_hashed(GHashTable *t, const void *key)
{
	g_mutex_lock(&list_lock);
	struct domain *d = g_hash_table_lookup(t, key);
	if (d)
		domain_ref(d);
	g_mutex_unlock(&list_lock);
	return d;
}

struct domain *domains_find_uuid(const unsigned char uuid[16]) { return find_hashed(by_uuid, uuid); }
struct domain *domains_find_name(const char *name) { return find_hashed(by_name, name); }
struct domain *domains_find_id(int id) { return find(match_id, &id); }

struct domain *domains_add(struct drv_def *def)
{
	struct domain *d = g_new0(struct domain, 1);
	d->refs = 1;
	g_mutex_init(&d->lock);
	g_cond_init(&d->cond);
	d->def = def;
	d->name = g_strdup(drv_def_name(def));
	memcpy(d->uuid, drv_def_uuid(def), 16);
	d->state = VIR_DOMAIN_SHUTOFF;
	d->reason = VIR_DOMAIN_SHUTOFF_UNKNOWN;
	d->id = -1;
	d->stop_intent = -1;
	g_mutex_lock(&list_lock);
	g_ptr_array_add(list, d);
	g_hash_table_insert(by_uuid, d->uuid, d);
	g_hash_table_insert(by_name, d->name, d);
	g_mutex_unlock(&list_lock);
	return domain_ref(d);
}

void domains_remove(struct domain *d)
{
	g_mutex_lock(&list_lock);
	if (g_ptr_array_remove(list, d)) {
		if (g_hash_table_lookup(by_uuid, d->uuid) == d)
			g_hash_table_remove(by_uuid, d->uuid);
		if (g_hash_table_lookup(by_name, d->name) == d)
			g_hash_table_remove(by_name, d->name);
		d->removed = true;
		domain_unref(d);
	}
	g_mutex_unlock(&list_lock);
}

GPtrArray *domains_list(void)
{
	GPtrArray *a = g_ptr_array_new();
	g_mutex_lock(&list_lock);
	for (guint i = 0; i < list->len; i++)
		g_ptr_array_add(a, domain_ref(g_ptr_array_index(list, i)));
	g_mutex_unlock(&list_lock);
	return a;
}

void domains_list_free(GPtrArray *a)
{
	for (guint i = 0; i < a->len; i++)
		domain_unref(g_ptr_array_index(a, i));
	g_ptr_array_free(a, TRUE);
}

int domains_next_id(void)
{
	g_mutex_lock(&list_lock);
	int id = next_id++;
	g_mutex_unlock(&list_lock);
	return id;
}

unsigned domains_count_active(void)
{
	unsigned n = 0;
	GPtrArray *a = domains_list();
	for (guint i = 0; i < a->len; i++) {
		struct domain *d = g_ptr_array_index(a, i);
		g_mutex_lock(&d->lock);
		n += domain_is_active(d);
		g_mutex_unlock(&d->lock);
	}
	domains_list_free(a);
	return n;
}

void domains_note_id(int id)
{
	g_mutex_lock(&list_lock);
	if (id >= next_id)
		next_id = id + 1;
	g_mutex_unlock(&list_lock);
}
