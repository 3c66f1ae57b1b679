/* drv_net: libvirt virtual networks for <interface type='network'>.
 *
 * A libvirt network belongs to libvirt's network driver (virtnetworkd, or
 * the network driver inside libvirtd where the distribution ships the
 * monolithic daemon, as Debian 12 does). When a domain starts, each
 * type='network' interface's network is looked up there through libvirt's
 * client library -- network:///system for a privileged daemon,
 * network:///session otherwise, as libvirt's own hypervisor daemons do --
 * and must exist (else VIR_ERR_NO_NETWORK) and be active (else
 * VIR_ERR_OPERATION_INVALID). Its bridge is recorded as the interface's live
 * state, and tandem then attaches a tap to that bridge exactly as for
 * type='bridge'. No network port is allocated (virNetworkPortCreateXML):
 * the network driver's per-port features (bandwidth, vlan, portgroups,
 * net-port-list) do not apply to tandem's taps. */
#ifndef TANDEM_DRV_NET_H
#define TANDEM_DRV_NET_H

#include "driver/drv_def.h"

#include <glib.h>
#include <stdbool.h>

/* Resolves every type='network' interface of def (no-op without any). */
bool drv_net_resolve(struct drv_def *def, GError **err);

#endif
