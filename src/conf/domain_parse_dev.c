/* Domain XML <devices> -> struct domain_def: disks, interfaces,
 * character devices (with libvirt's serial/console pairing), inputs,
 * controllers, rng, memballoon; other libvirt devices are kept raw and
 * unknown elements are dropped, as libvirt does. */
#include "conf/conf_error.h"
#include "conf/conf_xml.h"
#include "conf/domain_parse_priv.h"
#include "conf/domain_virtio.h"

#include <string.h>

static const char *const disk_types[] = { "file", "block", "dir", "network", "volume", "nvme", "vhostuser", NULL };
static const char *const disk_devices[] = { "disk", "cdrom", "floppy", "lun", NULL };
static const char *const disk_buses[] = { "ide", "fdc", "scsi", "virtio", "xen", "usb", "uml", "sata", "sd", NULL };
static const char *const net_types[] = {
	"user", "ethernet", "vhostuser", "server", "client", "mcast", "network", "bridge",
	"internal", "direct", "hostdev", "udp", "vdpa", "null", "vds", NULL,
};
static const char *const chr_types[] = {
	"null", "vc", "pty", "dev", "file", "pipe", "stdio", "udp", "tcp", "unix",
	"spicevmc", "spiceport", "nmdm", "qemu-vdagent", "dbus", NULL,
};
static const char *const serial_targets[] = {
	"isa-serial", "usb-serial", "pci-serial", "spapr-vio-serial", "system-serial",
	"sclp-serial", "isa-debug", NULL,
};
static const char *const console_targets[] = {
	"serial", "xen", "uml", "virtio", "lxc", "openvz", "sclp", "sclplm", NULL,
};
static const char *const input_types[] = { "mouse", "tablet", "keyboard", "passthrough", "evdev", NULL };
static const char *const memballoon_models[] = {
	"virtio", "virtio-transitional", "virtio-non-transitional", "xen", "none", NULL,
};

#define APPEND(arr, n) (arr = g_renew(__typeof__(*arr), arr, n + 1), memset(&arr[n], 0, sizeof(*arr)), &arr[n++])

static bool parse_boot_order(xmlNode *dev, unsigned *order, GError **err)
{
	xmlNode *b = conf_xml_child(dev, "boot");
	if (!b)
		return true;
	if (!domain_parse_uint_prop(b, "order", order, err))
		return false;
	if (*order == 0)
		return conf_error(err, VIR_ERR_XML_ERROR, xmlHasProp(b, (const xmlChar *)"order")
				  ? "Invalid value for attribute 'order' in element 'boot': Zero is not permitted"
				  : "Missing required attribute 'order' in element 'boot'");
	return true;
}

/* The bus a disk name implies, as libvirt derives it: a known prefix
 * followed by the drive letters (a..z, aa..). NULL if not such a name. */
static const char *disk_bus_from_dev(const char *dev)
{
	static const char *const map[][2] = {
		{ "hd", "ide" }, { "sd", "scsi" }, { "vd", "virtio" },
		{ "xvd", "xen" }, { "ubd", "uml" }, { "fd", "fdc" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
		if (!g_str_has_prefix(dev, map[i][0]))
			continue;
		const char *p = dev + strlen(map[i][0]);
		if (!*p)
			return NULL;
		for (; *p; p++)
			if (*p < 'a' || *p > 'z')
				return NULL;
		return map[i][1];
	}
	return NULL;
}

static bool parse_disk(struct domain_def *d, xmlNode *n, GError **err)
{
	struct domain_disk *k = APPEND(d->disks, d->ndisks);
	k->type = conf_xml_prop(n, "type");
	if (!k->type)
		k->type = g_strdup("file");
	if (!domain_parse_in(k->type, disk_types))
		return domain_parse_bad_attr(err, "type", "disk", k->type);
	k->device = conf_xml_prop(n, "device");
	if (!k->device)
		k->device = g_strdup("disk");
	if (!domain_parse_in(k->device, disk_devices))
		return domain_parse_bad_attr(err, "device", "disk", k->device);
	xmlNode *c;
	if ((c = conf_xml_child(n, "driver"))) {
		k->driver_name = conf_xml_prop(c, "name");
		k->driver_type = conf_xml_prop(c, "type");
	}
	if ((c = conf_xml_child(n, "source"))) {
		const char *attr = !strcmp(k->type, "block") ? "dev" : !strcmp(k->type, "dir") ? "dir"
			: !strcmp(k->type, "network") ? "name" : !strcmp(k->type, "volume") ? "volume" : "file";
		k->source = conf_xml_prop(c, attr);
	}
	if ((c = conf_xml_child(n, "target"))) {
		k->target_dev = conf_xml_prop(c, "dev");
		k->target_bus = conf_xml_prop(c, "bus");
		if (k->target_dev && !*k->target_dev) /* as if absent, as libvirt reads it */
			g_clear_pointer(&k->target_dev, g_free);
	}
	if (k->target_bus && !domain_parse_in(k->target_bus, disk_buses))
		return domain_parse_bad_attr(err, "bus", "target", k->target_bus);
	/* libvirt derives a missing bus from the name's prefix right away;
	 * the drive letters are checked later (domain_parse_devices_post) */
	static const char *const prefixes[] = { "hd", "sd", "vd", "xvd", "ubd", "fd", NULL };
	bool known_prefix = false;
	for (const char *const *p = prefixes; *p && k->target_dev; p++)
		known_prefix |= g_str_has_prefix(k->target_dev, *p);
	if (k->target_dev && !k->target_bus && !known_prefix)
		return conf_error(err, VIR_ERR_XML_ERROR, "Unknown disk name '%s' and no address specified",
				  k->target_dev);
	/* target presence, name and bus: domain_parse_devices_post/_validate */
	k->readonly = conf_xml_child(n, "readonly") != NULL;
	k->shareable = conf_xml_child(n, "shareable") != NULL;
	if ((c = conf_xml_child(n, "serial")))
		k->serial = conf_xml_text(c);
	return parse_boot_order(n, &k->boot_order, err);
}

/* "52:54:00:12:34:56": six hex pairs, unicast. */
static bool parse_mac(const char *s, GError **err)
{
	for (int i = 0; i < 6; i++) {
		const char *p = s + i * 3;
		int hi = g_ascii_xdigit_value(p[0]), lo = hi < 0 ? -1 : g_ascii_xdigit_value(p[1]);
		if (lo < 0 || (i < 5 && p[2] != ':') || (i == 5 && p[2]))
			return conf_error(err, VIR_ERR_XML_ERROR, "unable to parse mac address '%s'", s);
	}
	if (g_ascii_xdigit_value(s[1]) & 1)
		return conf_error(err, VIR_ERR_XML_ERROR, "expected unicast mac address, found multicast '%s'", s);
	return true;
}

static bool parse_interface(struct domain_def *d, xmlNode *n, GError **err)
{
	struct domain_net *i = APPEND(d->nets, d->nnets);
	i->type = conf_xml_prop(n, "type");
	if (!i->type)
		i->type = g_strdup("user"); /* libvirt's default */
	if (!domain_parse_in(i->type, net_types))
		return domain_parse_bad_attr(err, "type", "interface", i->type);
	xmlNode *c = conf_xml_child(n, "source");
	if (!c && (!strcmp(i->type, "network") || !strcmp(i->type, "bridge")))
		return conf_error(err, VIR_ERR_XML_ERROR, "interface type='%s' requires a 'source' element", i->type);
	if (c) {
		const char *attr = !strcmp(i->type, "bridge") ? "bridge" : !strcmp(i->type, "network") ? "network"
			: !strcmp(i->type, "direct") ? "dev" : !strcmp(i->type, "vhostuser") ? "path" : NULL;
		if (attr)
			i->source = conf_xml_prop(c, attr);
		if ((!strcmp(i->type, "network") || !strcmp(i->type, "bridge")) && !i->source)
			return conf_error(err, VIR_ERR_XML_ERROR, "Missing required attribute '%s' in element 'source'", attr);
		/* live (status) XML of a started domain names the network's bridge */
		if (!strcmp(i->type, "network"))
			i->bridge = conf_xml_prop(c, "bridge");
	}
	if ((c = conf_xml_child(n, "mac")))
		i->mac = conf_xml_prop(c, "address");
	if (i->mac) {
		if (!parse_mac(i->mac, err))
			return false;
		for (char *p = i->mac; *p; p++)
			*p = g_ascii_tolower(*p);
	} else
		i->mac = g_strdup_printf("52:54:00:%02x:%02x:%02x", g_random_int_range(0, 256),
					 g_random_int_range(0, 256), g_random_int_range(0, 256));
	if ((c = conf_xml_child(n, "target"))) {
		i->target_dev = conf_xml_prop(c, "dev");
		/* the name tandem made up for the tap (live XML read back) is not
		 * configuration, as libvirt drops its vnetN names */
		if (i->target_dev && domain_net_tap_name_is_auto(i, i->target_dev))
			g_clear_pointer(&i->target_dev, g_free);
	}
	if ((c = conf_xml_child(n, "model")))
		i->model = conf_xml_prop(c, "type");
	return parse_boot_order(n, &i->boot_order, err);
}

static bool parse_chr(struct domain_chr *c, xmlNode *n, bool serial, int default_port, GError **err)
{
	c->type = conf_xml_prop(n, "type");
	if (!c->type)
		c->type = g_strdup("pty");
	if (!domain_parse_in(c->type, chr_types))
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				  "unknown type presented to host for character device: %s", c->type);
	xmlNode *src = conf_xml_child(n, "source");
	/* a pty's path is run-time state: libvirt shows it in live XML only */
	if (src && strcmp(c->type, "pty") != 0)
		c->source_path = conf_xml_prop(src, "path");
	c->port = default_port;
	xmlNode *t = conf_xml_child(n, "target");
	if (t) {
		c->target_type = conf_xml_prop(t, "type");
		if (c->target_type && !domain_parse_in(c->target_type, serial ? serial_targets : console_targets))
			return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
					  "unknown target type '%s' specified for character device", c->target_type);
		g_autofree char *port = conf_xml_prop(t, "port");
		unsigned long long v;
		if (port && (!domain_parse_ull(port, &v) || v > G_MAXINT))
			return conf_error(err, VIR_ERR_XML_ERROR, "Invalid port number: %s", port);
		if (port)
			c->port = (int)v;
	}
	if (!c->target_type)
		c->target_type = g_strdup(serial ? "isa-serial" : "serial");
	return true;
}

static void chr_clear(struct domain_chr *c)
{
	g_free(c->type);
	g_free(c->source_path);
	g_free(c->target_type);
	memset(c, 0, sizeof(*c));
}

/* libvirt's stub console (virDomainDefAddConsoleCompat): the first
 * console, if its target is serial, is the same device as serial0. A lone
 * serial-type console becomes serial0; a console next to serial0 is
 * dropped in favour of it (formatting derives it back from serial0). */
static void pair_console(struct domain_def *d)
{
	if (!d->nconsoles || strcmp(d->consoles[0].target_type, "serial") != 0)
		return;
	struct domain_chr con = d->consoles[0];
	memmove(&d->consoles[0], &d->consoles[1], (d->nconsoles - 1) * sizeof(con));
	d->nconsoles--;
	if (d->nserials) {
		chr_clear(&con);
		return;
	}
	g_free(con.target_type);
	con.target_type = g_strdup("isa-serial");
	d->serials = g_new0(struct domain_chr, 1);
	d->serials[0] = con;
	d->nserials = 1;
}

static bool parse_input(struct domain_def *d, xmlNode *n, GError **err)
{
	struct domain_input *in = APPEND(d->inputs, d->ninputs);
	in->type = conf_xml_prop(n, "type");
	if (!in->type)
		return conf_error(err, VIR_ERR_INTERNAL_ERROR, "missing input device type");
	if (!domain_parse_in(in->type, input_types))
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "unknown input device type '%s'", in->type);
	in->bus = conf_xml_prop(n, "bus");
	if (!in->bus && (!strcmp(in->type, "mouse") || !strcmp(in->type, "keyboard")))
		in->bus = g_strdup("ps2");
	else if (!in->bus && !strcmp(in->type, "tablet"))
		in->bus = g_strdup("usb");
	return true;
}

static bool has_input(const struct domain_def *d, const char *type, const char *bus)
{
	for (size_t i = 0; i < d->ninputs; i++)
		if (!strcmp(d->inputs[i].type, type) && !g_strcmp0(d->inputs[i].bus, bus))
			return true;
	return false;
}

static bool parse_controller(struct domain_def *d, xmlNode *n, GError **err)
{
	static const char *const types[] = {
		"ide", "fdc", "scsi", "sata", "virtio-serial", "ccid", "usb", "pci", "xenbus", "isa", "nvme", NULL,
	};
	/* the models libvirt knows for the types that have them */
	static const char *const usb_models[] = {
		"piix3-uhci", "piix4-uhci", "ehci", "ich9-ehci1", "ich9-uhci1", "ich9-uhci2", "ich9-uhci3",
		"vt82c686b-uhci", "pci-ohci", "nec-xhci", "qusb1", "qusb2", "qemu-xhci", "none", NULL,
	};
	static const char *const pci_models[] = {
		"pci-root", "pcie-root", "pci-bridge", "dmi-to-pci-bridge", "pcie-root-port",
		"pcie-switch-upstream-port", "pcie-switch-downstream-port", "pci-expander-bus",
		"pcie-expander-bus", "pcie-to-pci-bridge", NULL,
	};
	static const char *const ide_models[] = { "piix3", "piix4", "ich6", NULL };
	static const char *const scsi_models[] = {
		"auto", "buslogic", "lsilogic", "lsisas1068", "vmpvscsi", "ibmvscsi", "virtio-scsi",
		"lsisas1078", "virtio-transitional", "virtio-non-transitional", "ncr53c90", "am53c974",
		"dc390", NULL,
	};
	g_autofree char *type = conf_xml_prop(n, "type");
	if (!type)
		type = g_strdup("ide"); /* libvirt's default */
	if (!domain_parse_in(type, types))
		return domain_parse_bad_attr(err, "type", "controller", type);
	g_autofree char *model = conf_xml_prop(n, "model");
	const char *const *models = !strcmp(type, "usb") ? usb_models : !strcmp(type, "pci") ? pci_models
		: !strcmp(type, "ide") ? ide_models : !strcmp(type, "scsi") ? scsi_models : NULL;
	if (model && models && !domain_parse_in(model, models))
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "Unknown model type '%s'", model);
	unsigned index = 0;
	bool given = xmlHasProp(n, (const xmlChar *)"index") != NULL;
	if (!domain_parse_uint_prop(n, "index", &index, err))
		return false;
	if (!given) /* libvirt gives the next free index of that type */
		for (size_t i = 0; i < d->ncontrollers; i++)
			if (!strcmp(d->controllers[i].type, type) && d->controllers[i].index >= (int)index)
				index = (unsigned)d->controllers[i].index + 1;
	struct domain_controller *c = APPEND(d->controllers, d->ncontrollers);
	c->type = g_steal_pointer(&type);
	c->index = (int)index;
	c->model = g_steal_pointer(&model);
	return true;
}

static bool parse_rng(struct domain_def *d, xmlNode *n, GError **err)
{
	struct domain_rng *r = APPEND(d->rngs, d->nrngs);
	r->model = conf_xml_prop(n, "model");
	if (!r->model)
		return conf_error(err, VIR_ERR_XML_ERROR, "missing RNG device model");
	xmlNode *b = conf_xml_child(n, "backend");
	if (!b)
		return conf_error(err, VIR_ERR_XML_ERROR, "only one RNG backend is supported");
	r->backend_model = conf_xml_prop(b, "model");
	if (!r->backend_model)
		return conf_error(err, VIR_ERR_XML_ERROR, "missing RNG device backend model");
	static const char *const backend_models[] = { "random", "egd", "builtin", NULL };
	if (!domain_parse_in(r->backend_model, backend_models))
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "unknown RNG backend model '%s'", r->backend_model);
	if (!strcmp(r->backend_model, "random")) {
		r->backend = g_strstrip(conf_xml_text(b));
		if (!*r->backend)
			g_clear_pointer(&r->backend, g_free);
	}
	return true;
}

/* Disks, interfaces and character devices whose source tandem does not
 * model (network disks, direct/vhostuser NICs, tcp/unix chardevs ...) are
 * kept whole, so that formatting them back stays valid. */
static bool keep_raw(xmlNode *n)
{
	static const char *const disk_structured[] = { "file", "block", "dir", NULL };
	static const char *const net_structured[] = { "user", "ethernet", "network", "bridge", NULL };
	static const char *const chr_structured[] = { "pty", "file", "dev", "pipe", "null", "vc", "stdio", NULL };
	const char *const *structured;
	if (conf_xml_is(n, "disk"))
		structured = disk_structured;
	else if (conf_xml_is(n, "interface"))
		structured = net_structured;
	else if (conf_xml_is(n, "serial") || conf_xml_is(n, "console"))
		structured = chr_structured;
	else
		return false;
	g_autofree char *type = conf_xml_prop(n, "type");
	const char *const *known = conf_xml_is(n, "disk") ? disk_types
		: conf_xml_is(n, "interface") ? net_types : chr_types;
	/* unknown types are reported by the structured parser */
	return type && domain_parse_in(type, known) && !domain_parse_in(type, structured);
}

/* libvirt reads <devices> type by type, in this order. */
static const char *const device_order[] = {
	"disk", "controller", "lease", "filesystem", "interface", "smartcard", "serial", "parallel",
	"console", "channel", "input", "tpm", "graphics", "sound", "audio", "video", "hostdev",
	"redirdev", "redirfilter", "hub", "watchdog", "memballoon", "rng", "nvram", "panic", "shmem",
	"memory", "iommu", "vsock", "crypto", NULL,
};

static bool parse_device(struct domain_def *d, xmlNode *n, GError **err)
{
	static const char *const video_models[] = {
		"default", "vga", "cirrus", "vmvga", "xen", "vbox", "qxl", "parallels", "virtio", "gop",
		"none", "bochs", "ramfb", NULL,
	};
	if (keep_raw(n) && conf_xml_is(n, "interface")) {
		/* kept whole; libvirt's checks of a direct NIC's source */
		g_autofree char *type = conf_xml_prop(n, "type");
		xmlNode *src = conf_xml_child(n, "source");
		if (!strcmp(type, "direct") && !src)
			return conf_error(err, VIR_ERR_XML_ERROR, "interface type='direct' requires a 'source' element");
		if (!strcmp(type, "direct") && !xmlHasProp(src, (const xmlChar *)"dev"))
			return conf_error(err, VIR_ERR_XML_ERROR, "Missing required attribute 'dev' in element 'source'");
	}
	if (keep_raw(n) && (conf_xml_is(n, "serial") || conf_xml_is(n, "console"))) {
		/* kept whole, but its target is checked like any chardev's */
		struct domain_chr scratch = { 0 };
		bool ok = parse_chr(&scratch, n, conf_xml_is(n, "serial"), 0, err);
		g_free(scratch.type);
		g_free(scratch.source_path);
		g_free(scratch.target_type);
		if (!ok)
			return false;
	}
	static const char *const graphics_types[] = {
		"sdl", "vnc", "rdp", "desktop", "spice", "egl-headless", "dbus", NULL,
	};
	static const char *const sound_models[] = {
		"sb16", "es1370", "pcspk", "ac97", "ich6", "ich9", "usb", "ich7", NULL,
	};
	g_autofree char *smodel = conf_xml_is(n, "sound") ? conf_xml_prop(n, "model") : NULL;
	if (smodel && !domain_parse_in(smodel, sound_models))
		return domain_parse_bad_attr(err, "model", "sound", smodel);
	g_autofree char *gtype = conf_xml_is(n, "graphics") ? conf_xml_prop(n, "type") : NULL;
	if (gtype && !domain_parse_in(gtype, graphics_types))
		return domain_parse_bad_attr(err, "type", "graphics", gtype);
	xmlNode *model = conf_xml_is(n, "video") ? conf_xml_child(n, "model") : NULL;
	g_autofree char *vmodel = model ? conf_xml_prop(model, "type") : NULL;
	if (vmodel && !domain_parse_in(vmodel, video_models))
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "unknown video model '%s'", vmodel);
	if (keep_raw(n) || !(conf_xml_is(n, "disk") || conf_xml_is(n, "interface") || conf_xml_is(n, "serial") ||
			     conf_xml_is(n, "console") || conf_xml_is(n, "input") || conf_xml_is(n, "controller") ||
			     conf_xml_is(n, "rng") || conf_xml_is(n, "memballoon"))) {
		struct domain_raw *r = APPEND(d->other_devices, d->nother_devices);
		domain_raw_set(r, n);
		return true;
	}
	if (conf_xml_is(n, "disk"))
		return parse_disk(d, n, err);
	if (conf_xml_is(n, "interface"))
		return parse_interface(d, n, err);
	if (conf_xml_is(n, "serial")) {
		struct domain_chr *c = APPEND(d->serials, d->nserials);
		return parse_chr(c, n, true, (int)d->nserials - 1, err);
	}
	if (conf_xml_is(n, "console")) {
		struct domain_chr *c = APPEND(d->consoles, d->nconsoles);
		return parse_chr(c, n, false, (int)d->nconsoles - 1, err);
	}
	if (conf_xml_is(n, "input"))
		return parse_input(d, n, err);
	if (conf_xml_is(n, "controller"))
		return parse_controller(d, n, err);
	if (conf_xml_is(n, "rng"))
		return parse_rng(d, n, err);
	g_free(d->memballoon_model);
	d->memballoon_model = conf_xml_prop(n, "model");
	if (!d->memballoon_model)
		return conf_error(err, VIR_ERR_XML_ERROR, "Missing required attribute 'model' in element 'memballoon'");
	if (!domain_parse_in(d->memballoon_model, memballoon_models))
		return domain_parse_bad_attr(err, "model", "memballoon", d->memballoon_model);
	return true;
}

bool domain_parse_devices(struct domain_def *d, xmlNode *devices, GError **err)
{
	d->memballoon_model = g_strdup("none");
	xmlNode *emulator = conf_xml_child(devices, "emulator");
	d->emulator = emulator ? conf_xml_text(emulator) : g_strdup(DOMAIN_DEFAULT_EMULATOR);
	for (const char *const *type = device_order; *type; type++)
		for (xmlNode *n = devices ? devices->children : NULL; n; n = n->next)
			if (conf_xml_is(n, *type) && !parse_device(d, n, err))
				return false;
	return true;
}

static void add_input(struct domain_def *d, const char *type, const char *bus)
{
	if (has_input(d, type, bus))
		return;
	struct domain_input *in = APPEND(d->inputs, d->ninputs);
	in->type = g_strdup(type);
	in->bus = g_strdup(bus);
}

bool domain_parse_devices_post(struct domain_def *d, GError **err)
{
	for (size_t i = 0; i < d->ndisks; i++) {
		struct domain_disk *k = &d->disks[i];
		if (!k->target_dev)
			continue; /* refused by validation */
		const char *bus = disk_bus_from_dev(k->target_dev);
		if (!bus)
			return conf_error(err, VIR_ERR_XML_ERROR, "Unknown disk name '%s' and no address specified",
					  k->target_dev);
		if (!k->target_bus)
			k->target_bus = g_strdup(bus);
	}
	pair_console(d);
	/* libvirt's QEMU driver adds a PS/2 mouse and keyboard to x86 guests with graphics */
	for (size_t i = 0; i < d->nother_devices; i++)
		if (!strcmp(d->other_devices[i].name, "graphics")) {
			add_input(d, "mouse", "ps2");
			add_input(d, "keyboard", "ps2");
			break;
		}
	return true;
}

bool domain_parse_devices_validate(const struct domain_def *d, GError **err)
{
	for (size_t i = 0; i < d->ndisks; i++) {
		const struct domain_disk *k = &d->disks[i];
		if (!k->target_dev)
			return conf_error(err, VIR_ERR_NO_TARGET, "missing target information for device %s",
					  k->source ? k->source : "");
		if (!strcmp(k->device, "lun") && strcmp(k->type, "block") != 0)
			return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
					  "disk device='lun' is only valid for block type disk source");
		if (g_str_has_prefix(k->target_dev, "fd") && !strcmp(k->target_bus, "fdc") &&
		    strcmp(k->device, "floppy") != 0)
			return conf_error(err, VIR_ERR_INTERNAL_ERROR, "Invalid harddisk device name: %s", k->target_dev);
	}
	return true;
}

bool domain_parse_has_device_boot(const struct domain_def *d)
{
	for (size_t i = 0; i < d->ndisks; i++)
		if (d->disks[i].boot_order)
			return true;
	for (size_t i = 0; i < d->nnets; i++)
		if (d->nets[i].boot_order)
			return true;
	return false;
}
