/* Internal to src/conf: a domain's virtio devices (disks, NICs, entropy,
 * the virtio console) checked against what tandem's virtio devices do,
 * and written into / out of struct machine_config. */
#ifndef TANDEM_DOMAIN_VIRTIO_H
#define TANDEM_DOMAIN_VIRTIO_H

#include "vmm/machine_config.h"
#include "conf/domain_def.h"

#include <glib.h>

/* VIR_ERR_CONFIG_UNSUPPORTED naming what tandem cannot run. */
bool domain_virtio_check(const struct domain_def *d, GError **err);
/* Fills cfg's disks, nics, rng and console2 (d passed domain_virtio_check).
 * Fails (VIR_ERR_CONFIG_UNSUPPORTED) for an interface type='network' whose
 * bridge was not resolved (domain_net.bridge). */
bool domain_virtio_to_config(const struct domain_def *d, struct machine_config *cfg, GError **err);
/* The tap of an ethernet/bridge/network interface: <target dev>, else
 * "tdm" + the MAC's last three bytes (shown in live XML, as libvirt shows
 * its vnetN); NULL for other types. */
char *domain_net_tap_name(const struct domain_net *n);
/* Whether dev is the name domain_net_tap_name() makes up for n: live XML
 * read back does not turn it into a configured <target dev>. */
bool domain_net_tap_name_is_auto(const struct domain_net *n, const char *dev);
/* Appends --disk/--net/--rng/--console2 for cfg's devices. */
void domain_virtio_argv(const struct machine_config *cfg, GPtrArray *argv);

#endif
