/* Virtio devices: libvirt XML <disk>/<interface>/<rng>/<console
 * target virtio> <-> machine_config's disks/nics/rng/console2 <-> the
 * `tandem run` options --disk/--net/--rng/--console2 (src/vmm/cli.c). */
#include "conf/domain_virtio.h"
#include "conf/conf_error.h"

#include <string.h>

/* cli.c splits option values at commas and has no escape for them */
static bool no_comma(const char *what, const char *v, GError **err)
{
	if (v && strchr(v, ','))
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				"tandem cannot pass %s '%s' to the VMM: it contains ','", what, v);
	return true;
}

static bool check_disk(const struct domain_disk *k, GError **err)
{
	if (strcmp(k->device, "disk") != 0)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				"tandem does not support <disk device='%s'>: only device='disk'", k->device);
	if (strcmp(k->type, "file") != 0 && strcmp(k->type, "block") != 0)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				"tandem does not support <disk type='%s'>: only file and block", k->type);
	if (strcmp(k->target_bus, "virtio") != 0)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				"tandem does not support disks on bus '%s' (%s): only bus='virtio'", k->target_bus,
			      k->target_dev);
	if (!k->source)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				"tandem needs a <source> for disk %s", k->target_dev);
	if (k->driver_type && strcmp(k->driver_type, "raw") != 0 && strcmp(k->driver_type, "qcow2") != 0)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				"tandem does not support disk format '%s': only raw and qcow2", k->driver_type);
	if (k->serial && strlen(k->serial) > 20)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				"tandem does not support disk serial '%s': at most 20 characters", k->serial);
	return no_comma("the disk path", k->source, err) && no_comma("the disk serial", k->serial, err);
}

static bool check_net(const struct domain_net *n, GError **err)
{
	if (strcmp(n->type, "user") != 0 && strcmp(n->type, "ethernet") != 0 && strcmp(n->type, "bridge") != 0 &&
	    strcmp(n->type, "network") != 0)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				"tandem does not support <interface type='%s'>: only user, ethernet, bridge and network",
			      n->type);
	if (n->model && strcmp(n->model, "virtio") != 0)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				"tandem does not support NIC model '%s': only model type='virtio'", n->model);
	if (n->target_dev && strlen(n->target_dev) > 15)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				"tandem cannot use tap device name '%s': at most 15 characters", n->target_dev);
	return no_comma("the tap device name", n->target_dev, err) && no_comma("the bridge name", n->source, err) &&
	       no_comma("the bridge name", n->bridge, err);
}

bool domain_virtio_check(const struct domain_def *d, GError **err)
{
	if (d->ndisks > CONFIG_MAX_DISKS)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				"tandem supports at most %d disks", CONFIG_MAX_DISKS);
	for (size_t i = 0; i < d->ndisks; i++)
		if (!check_disk(&d->disks[i], err))
			return false;
	if (d->nnets > CONFIG_MAX_NICS)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				"tandem supports at most %d interfaces", CONFIG_MAX_NICS);
	for (size_t i = 0; i < d->nnets; i++)
		if (!check_net(&d->nets[i], err))
			return false;
	if (d->nrngs > 1)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "tandem supports one <rng> device");
	for (size_t i = 0; i < d->nrngs; i++) {
		const struct domain_rng *r = &d->rngs[i];
		if (strcmp(r->model, "virtio") != 0)
			return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
					"tandem does not support <rng model='%s'>", r->model);
		/* tandem's virtio-rng reads getrandom(): the kernel's pool, as /dev/urandom */
		if (strcmp(r->backend_model, "random") != 0 && strcmp(r->backend_model, "builtin") != 0)
			return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
					"tandem does not support <backend model='%s'> for <rng>: only random and builtin",
				      r->backend_model);
	}
	if (d->nconsoles > 1)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "tandem supports one virtio <console>");
	for (size_t i = 0; i < d->nconsoles; i++) {
		const struct domain_chr *c = &d->consoles[i];
		if (strcmp(c->target_type, "virtio") != 0)
			return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
					"tandem does not support <console> with target type '%s'", c->target_type);
		if (strcmp(c->type, "pty") != 0 && strcmp(c->type, "file") != 0)
			return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
					"tandem does not support <console type='%s'>: only pty and file", c->type);
		if (!strcmp(c->type, "file") && !c->source_path)
			return conf_error(err, VIR_ERR_XML_ERROR, "<console type='file'> needs <source path=...>");
	}
	return true;
}

static void parse_mac_bytes(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)(g_ascii_xdigit_value(s[i * 3]) << 4 | g_ascii_xdigit_value(s[i * 3 + 1]));
}

/* libvirt names taps vnetN; tandem names them after the MAC so that the
 * name is stable across restarts (and can be recomputed from the XML). */
static char *auto_tap_name(const char *mac)
{
	uint8_t m[6];
	parse_mac_bytes(mac, m);
	return g_strdup_printf("tdm%02x%02x%02x", m[3], m[4], m[5]);
}

char *domain_net_tap_name(const struct domain_net *n)
{
	if (strcmp(n->type, "ethernet") != 0 && strcmp(n->type, "bridge") != 0 && strcmp(n->type, "network") != 0)
		return NULL;
	return n->target_dev ? g_strdup(n->target_dev) : auto_tap_name(n->mac);
}

bool domain_net_tap_name_is_auto(const struct domain_net *n, const char *dev)
{
	g_autofree char *a = auto_tap_name(n->mac);
	return !strcmp(a, dev);
}

bool domain_virtio_to_config(const struct domain_def *d, struct machine_config *cfg, GError **err)
{
	/* A libvirt network is a bridge that libvirt's network driver manages;
	 * virttandemd looks it up when the domain starts (drv_net.c). */
	for (size_t i = 0; i < d->nnets; i++)
		if (!strcmp(d->nets[i].type, "network") && !d->nets[i].bridge)
			return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
					"interface type='network' (network '%s') needs the network's bridge, which "
					"virttandemd resolves when it starts the domain; `tandem run` takes "
					"<interface type='bridge'> or --net tap,bridge=BRIDGE", d->nets[i].source);
	for (size_t i = 0; i < d->ndisks && cfg->ndisks < CONFIG_MAX_DISKS; i++) {
		const struct domain_disk *k = &d->disks[i];
		struct disk_config *c = &cfg->disks[cfg->ndisks++];
		memset(c, 0, sizeof(*c));
		c->path = g_strdup(k->source);
		c->format = !k->driver_type ? DISK_FORMAT_AUTO
			: !strcmp(k->driver_type, "qcow2") ? DISK_FORMAT_QCOW2 : DISK_FORMAT_RAW;
		c->readonly = k->readonly;
		c->serial = g_strdup(k->serial);
	}
	for (size_t i = 0; i < d->nnets && cfg->nnics < CONFIG_MAX_NICS; i++) {
		const struct domain_net *n = &d->nets[i];
		struct nic_config *c = &cfg->nics[cfg->nnics++];
		memset(c, 0, sizeof(*c));
		c->mac_set = true;
		parse_mac_bytes(n->mac, c->mac);
		if (!strcmp(n->type, "user")) {
			c->kind = NIC_USER;
			continue;
		}
		c->kind = NIC_TAP;
		c->ifname = domain_net_tap_name(n);
		if (!strcmp(n->type, "bridge"))
			c->bridge = g_strdup(n->source);
		else if (!strcmp(n->type, "network"))
			c->bridge = g_strdup(n->bridge);
	}
	cfg->rng = d->nrngs > 0;
	if (d->nconsoles) {
		const struct domain_chr *c = &d->consoles[0];
		cfg->console2 = !strcmp(c->type, "file") ? SERIAL_FILE : SERIAL_PTY;
		g_free(cfg->console2_path);
		cfg->console2_path = cfg->console2 == SERIAL_FILE ? g_strdup(c->source_path) : NULL;
	}
	return true;
}

void domain_virtio_argv(const struct machine_config *cfg, GPtrArray *a)
{
	for (unsigned i = 0; i < cfg->ndisks; i++) {
		const struct disk_config *k = &cfg->disks[i];
		GString *s = g_string_new(k->path);
		if (k->format == DISK_FORMAT_RAW)
			g_string_append(s, ",format=raw");
		else if (k->format == DISK_FORMAT_QCOW2)
			g_string_append(s, ",format=qcow2");
		if (k->readonly)
			g_string_append(s, ",readonly=on");
		if (k->serial)
			g_string_append_printf(s, ",serial=%s", k->serial);
		g_ptr_array_add(a, g_strdup("--disk"));
		g_ptr_array_add(a, g_string_free(s, FALSE));
	}
	for (unsigned i = 0; i < cfg->nnics; i++) {
		const struct nic_config *n = &cfg->nics[i];
		GString *s = g_string_new(n->kind == NIC_TAP ? "tap" : "user");
		if (n->kind == NIC_TAP) {
			g_string_append_printf(s, ",ifname=%s", n->ifname ? n->ifname : "");
			if (n->bridge)
				g_string_append_printf(s, ",bridge=%s", n->bridge);
		} else {
			for (unsigned j = 0; j < n->nhostfwd; j++)
				g_string_append_printf(s, ",hostfwd=%s", n->hostfwd[j]);
			if (n->restrict_net)
				g_string_append(s, ",restrict=on");
		}
		if (n->mac_set)
			g_string_append_printf(s, ",mac=%02x:%02x:%02x:%02x:%02x:%02x", n->mac[0], n->mac[1], n->mac[2],
					       n->mac[3], n->mac[4], n->mac[5]);
		g_ptr_array_add(a, g_strdup("--net"));
		g_ptr_array_add(a, g_string_free(s, FALSE));
	}
	if (cfg->rng)
		g_ptr_array_add(a, g_strdup("--rng"));
	if (cfg->console2 == SERIAL_PTY || cfg->console2 == SERIAL_FILE) {
		g_ptr_array_add(a, g_strdup("--console2"));
		g_ptr_array_add(a, cfg->console2 == SERIAL_PTY ? g_strdup("pty")
				   : g_strconcat("file:", cfg->console2_path ? cfg->console2_path : "", NULL));
	}
}
