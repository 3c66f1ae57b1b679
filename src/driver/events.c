/* events: registrations and delivery of domain events. */
#include "driver/events.h"

#include <libvirt/libvirt.h>
#include <string.h>

struct reg {
	struct rpc_client *client;
	int callback_id;        /* -1 for legacy registrations */
	int event_id;
	bool has_dom;
	unsigned char uuid[16];
};

static GMutex lock;
static GList *regs;
static int next_callback = 1;

int events_register(struct rpc_client *c, int event_id, const unsigned char *dom_uuid)
{
	struct reg *r = g_new0(struct reg, 1);
	r->client = rpc_client_ref(c);
	r->event_id = event_id;
	if (dom_uuid) {
		r->has_dom = true;
		memcpy(r->uuid, dom_uuid, 16);
	}
	g_mutex_lock(&lock);
	r->callback_id = next_callback++;
	regs = g_list_append(regs, r);
	g_mutex_unlock(&lock);
	return r->callback_id;
}

static bool remove_where(struct rpc_client *c, int callback_id, int legacy_event)
{
	bool found = false;
	g_mutex_lock(&lock);
	for (GList *l = regs, *next; l; l = next) {
		next = l->next;
		struct reg *r = l->data;
		if (r->client != c)
			continue;
		if (callback_id >= 0 && r->callback_id != callback_id)
			continue;
		if (legacy_event >= 0 && (r->callback_id != -1 || r->event_id != legacy_event))
			continue;
		regs = g_list_delete_link(regs, l);
		rpc_client_unref(r->client);
		g_free(r);
		found = true;
		if (callback_id >= 0 || legacy_event >= 0)
			break;
	}
	g_mutex_unlock(&lock);
	return found;
}

bool events_deregister(struct rpc_client *c, int callback_id)
{
	return callback_id >= 0 && remove_where(c, callback_id, -1);
}

void events_register_legacy(struct rpc_client *c, int event_id)
{
	g_mutex_lock(&lock);
	for (GList *l = regs; l; l = l->next) {
		struct reg *r = l->data;
		if (r->client == c && r->callback_id == -1 && r->event_id == event_id) {
			g_mutex_unlock(&lock);
			return;
		}
	}
	struct reg *r = g_new0(struct reg, 1);
	r->client = rpc_client_ref(c);
	r->event_id = event_id;
	r->callback_id = -1;
	regs = g_list_append(regs, r);
	g_mutex_unlock(&lock);
}

bool events_deregister_legacy(struct rpc_client *c, int event_id)
{
	return remove_where(c, -1, event_id);
}

void events_client_gone(struct rpc_client *c)
{
	remove_where(c, -1, -1);
}

/* Collects the matching registrations under the lock, sends outside it. */
static GList *matching(int event_id, const unsigned char uuid[16])
{
	GList *out = NULL;
	g_mutex_lock(&lock);
	for (GList *l = regs; l; l = l->next) {
		struct reg *r = l->data;
		if (r->event_id != event_id || (r->has_dom && memcmp(r->uuid, uuid, 16)))
			continue;
		struct reg *copy = g_memdup2(r, sizeof(*r));
		rpc_client_ref(copy->client);
		out = g_list_append(out, copy);
	}
	g_mutex_unlock(&lock);
	return out;
}

static void free_reg(gpointer p)
{
	struct reg *r = p;
	rpc_client_unref(r->client);
	g_free(r);
}

void events_lifecycle(const char *name, const unsigned char uuid[16], int id, int event, int detail)
{
	GList *targets = matching(VIR_DOMAIN_EVENT_ID_LIFECYCLE, uuid);
	for (GList *l = targets; l; l = l->next) {
		struct reg *r = l->data;
		struct tandem_event_callback_lifecycle_msg m = {
			.callbackID = r->callback_id,
			.msg = { .dom = { .name = (char *)name, .id = id }, .event = event, .detail = detail },
		};
		memcpy(m.msg.dom.uuid, uuid, 16);
		if (r->callback_id >= 0)
			rpc_client_send(r->client, TANDEM_PROGRAM, TANDEM_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
					RPC_MESSAGE, 0, RPC_OK,
					(xdrproc_t)xdr_tandem_event_callback_lifecycle_msg, &m);
		else
			rpc_client_send(r->client, TANDEM_PROGRAM, TANDEM_PROC_DOMAIN_EVENT_LIFECYCLE,
					RPC_MESSAGE, 0, RPC_OK,
					(xdrproc_t)xdr_tandem_event_lifecycle_msg, &m.msg);
	}
	g_list_free_full(targets, free_reg);
}

void events_reboot(const char *name, const unsigned char uuid[16], int id)
{
	GList *targets = matching(VIR_DOMAIN_EVENT_ID_REBOOT, uuid);
	for (GList *l = targets; l; l = l->next) {
		struct reg *r = l->data;
		struct tandem_event_callback_reboot_msg m = {
			.callbackID = r->callback_id,
			.msg = { .dom = { .name = (char *)name, .id = id } },
		};
		memcpy(m.msg.dom.uuid, uuid, 16);
		if (r->callback_id >= 0)
			rpc_client_send(r->client, TANDEM_PROGRAM, TANDEM_PROC_DOMAIN_EVENT_CALLBACK_REBOOT,
					RPC_MESSAGE, 0, RPC_OK,
					(xdrproc_t)xdr_tandem_event_callback_reboot_msg, &m);
		else
			rpc_client_send(r->client, TANDEM_PROGRAM, TANDEM_PROC_DOMAIN_EVENT_REBOOT,
					RPC_MESSAGE, 0, RPC_OK,
					(xdrproc_t)xdr_tandem_event_reboot_msg, &m.msg);
	}
	g_list_free_full(targets, free_reg);
}
