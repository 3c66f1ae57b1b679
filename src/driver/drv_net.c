/* drv_net: type='network' interfaces resolved to their network's bridge
 * through libvirt's network driver (see drv_net.h). */
#include "driver/drv_net.h"
#include "driver/drv_error.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <unistd.h>

struct net_lookup {
	const char *uri;
	virConnectPtr conn;     /* opened for the first type='network' interface */
};

/* The client library prints every error to stderr by default; ours go to
 * the caller as GErrors instead. */
static void quiet(void *opaque, virErrorPtr e)
{
	(void)opaque;
	(void)e;
}

/* The library's last error as a DRV_ERROR with its code, after `context`. */
static void from_libvirt(GError **err, int fallback, const char *context)
{
	virErrorPtr e = virGetLastError();
	int code = e && e->code > 0 ? e->code : fallback;
	const char *msg = e && e->message ? e->message : "unknown error";
	if (context)
		g_set_error(err, DRV_ERROR, code, "%s: %s", context, msg);
	else
		g_set_error_literal(err, DRV_ERROR, code, msg);
	virResetLastError();
}

static char *bridge_of(const char *name, void *opaque, GError **err)
{
	struct net_lookup *l = opaque;
	if (!l->conn) {
		l->conn = virConnectOpen(l->uri);
		if (!l->conn) {
			g_autofree char *ctx = g_strdup_printf("cannot reach libvirt's network driver at %s for "
							       "network '%s'", l->uri, name);
			from_libvirt(err, VIR_ERR_OPERATION_FAILED, ctx);
			return NULL;
		}
	}
	virNetworkPtr net = virNetworkLookupByName(l->conn, name);
	if (!net) {
		/* "Network not found: no network with matching name '...'" */
		from_libvirt(err, VIR_ERR_NO_NETWORK, NULL);
		return NULL;
	}
	char *bridge = NULL;
	int active = virNetworkIsActive(net);
	if (active < 0) {
		from_libvirt(err, VIR_ERR_OPERATION_FAILED, NULL);
	} else if (!active) {
		drv_error(err, VIR_ERR_OPERATION_INVALID, "network '%s' is not active.", name);
	} else {
		char *b = virNetworkGetBridgeName(net);
		if (!b) {
			/* macvtap/hostdev forward modes have no bridge */
			virResetLastError();
			drv_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				  "network '%s' has no bridge: tandem attaches interfaces to a network's bridge", name);
		} else {
			bridge = g_strdup(b);
			free(b);
		}
	}
	virNetworkFree(net);
	return bridge;
}

bool drv_net_resolve(struct drv_def *def, GError **err)
{
	static gsize once;
	if (g_once_init_enter(&once)) {
		virSetErrorFunc(NULL, quiet);
		g_once_init_leave(&once, 1);
	}
	struct net_lookup l = { .uri = geteuid() == 0 ? "network:///system" : "network:///session" };
	bool ok = drv_def_resolve_networks(def, bridge_of, &l, err);
	if (l.conn)
		virConnectClose(l.conn);
	return ok;
}
