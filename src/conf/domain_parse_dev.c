/* Domain XML <devices> -> struct domain_def: disks, interfaces,
 * character devices (with libvirt's serial/console pairing), inputs,
 * controllers, rng, memballoon; other libvirt devices are kept raw and
 * unknown elements are dropped, as libvirt does. */
#include "conf/conf_error.h"
#include "conf/conf_xml.h"
#include "conf/domain_parse_priv.h"

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
/* Devices libvirt knows and tandem keeps without interpreting them. */
static const char *const raw_devices[] = {
	"graphics", "video", "sound", "hostdev", "filesystem", "watchdog", "channel", "tpm",
	"smartcard", "redirdev", "redirfilter", "hub", "panic", "shmem", "memory", "iommu",
	"vsock", "lease", "nvram", "audio", "parallel", "crypto", NULL,
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
		return conf_error(err, VIR_ERR_XML_ERROR, "missing boot order attribute");
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
	}
	if (!k->target_dev)
		return conf_error(err, VIR_ERR_NO_TARGET, "missing target information for device %s",
				  k->source ? k->source : "");
	if (k->target_bus && !domain_parse_in(k->target_bus, disk_buses))
		return domain_parse_bad_attr(err, "bus", "target", k->target_bus);
	if (!k->target_bus) {
		const char *bus = disk_bus_from_dev(k->target_dev);
		if (!bus)
			return conf_error(err, VIR_ERR_XML_ERROR, "Unknown disk name '%s' and no address specified",
					  k->target_dev);
		if (!strcmp(bus, "fdc") && strcmp(k->device, "floppy") != 0)
			return conf_error(err, VIR_ERR_INTERNAL_ERROR, "Invalid harddisk device name: %s", k->target_dev);
		k->target_bus = g_strdup(bus);
	} else if (!disk_bus_from_dev(k->target_dev))
		return conf_error(err, VIR_ERR_XML_ERROR, "Unknown disk name '%s' and no address specified",
				  k->target_dev);
	k->readonly = conf_xml_child(n, "readonly") != NULL;
	k->shareable = conf_xml_child(n, "shareable") != NULL;
	if ((c = conf_xml_child(n, "serial")))
		k->serial = conf_xml_text(c);
	return parse_boot_order(n, &k->boot_order, err);
}

/* "52:54:00:12:34:56": six hex pairs, unicast. */
static bool parse_mac(const char *s, GError **err)
{
	unsigned char b[6];
	for (int i = 0; i < 6; i++) {
		const char *p = s + i * 3;
		int hi = g_ascii_xdigit_value(p[0]), lo = hi < 0 ? -1 : g_ascii_xdigit_value(p[1]);
		if (lo < 0 || (i < 5 && p[2] != ':') || (i == 5 && p[2]))
			return conf_error(err, VIR_ERR_XML_ERROR, "unable to parse mac address '%s'", s);
		b[i] = (unsigned char)(hi << 4 | lo);
	}
	if (b[0] & 1)
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
	xmlNode *c;
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
	if ((c = conf_xml_child(n, "source"))) {
		const char *attr = !strcmp(i->type, "bridge") ? "bridge" : !strcmp(i->type, "network") ? "network"
			: !strcmp(i->type, "direct") ? "dev" : !strcmp(i->type, "vhostuser") ? "path" : NULL;
		if (attr)
			i->source = conf_xml_prop(c, attr);
	}
	if (!strcmp(i->type, "network") && !i->source)
		return conf_error(err, VIR_ERR_XML_ERROR, "interface type='network' requires a 'source' element");
	if ((c = conf_xml_child(n, "target")))
		i->target_dev = conf_xml_prop(c, "dev");
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
		unsigned port = (unsigned)default_port;
		if (!domain_parse_uint_prop(t, "port", &port, err))
			return false;
		c->port = (int)port;
	}
	if (c->target_type && !domain_parse_in(c->target_type, serial ? serial_targets : console_targets))
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				  "unknown target type '%s' specified for character device", c->target_type);
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
	g_autofree char *type = conf_xml_prop(n, "type");
	if (!type)
		type = g_strdup("ide"); /* libvirt's default */
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
	c->model = conf_xml_prop(n, "model");
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

bool domain_parse_devices(struct domain_def *d, xmlNode *devices, GError **err)
{
	d->memballoon_model = g_strdup("none");
	bool have_graphics = false;
	for (xmlNode *n = devices ? devices->children : NULL; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || n->ns)
			continue;
		bool ok = true;
		if (keep_raw(n)) {
			struct domain_raw *r = APPEND(d->other_devices, d->nother_devices);
			domain_raw_set(r, n);
		} else if (conf_xml_is(n, "emulator")) {
			g_free(d->emulator);
			d->emulator = conf_xml_text(n);
		} else if (conf_xml_is(n, "disk"))
			ok = parse_disk(d, n, err);
		else if (conf_xml_is(n, "interface"))
			ok = parse_interface(d, n, err);
		else if (conf_xml_is(n, "serial")) {
			struct domain_chr *c = APPEND(d->serials, d->nserials);
			ok = parse_chr(c, n, true, (int)d->nserials - 1, err);
		} else if (conf_xml_is(n, "console")) {
			struct domain_chr *c = APPEND(d->consoles, d->nconsoles);
			ok = parse_chr(c, n, false, (int)d->nconsoles - 1, err);
		} else if (conf_xml_is(n, "input"))
			ok = parse_input(d, n, err);
		else if (conf_xml_is(n, "controller"))
			ok = parse_controller(d, n, err);
		else if (conf_xml_is(n, "rng"))
			ok = parse_rng(d, n, err);
		else if (conf_xml_is(n, "memballoon")) {
			g_free(d->memballoon_model);
			d->memballoon_model = conf_xml_prop(n, "model");
			if (!d->memballoon_model)
				return conf_error(err, VIR_ERR_XML_ERROR,
						  "Missing required attribute 'model' in element 'memballoon'");
			if (!domain_parse_in(d->memballoon_model, memballoon_models))
				return domain_parse_bad_attr(err, "model", "memballoon", d->memballoon_model);
		} else if (domain_parse_in((const char *)n->name, raw_devices)) {
			struct domain_raw *r = APPEND(d->other_devices, d->nother_devices);
			domain_raw_set(r, n);
			have_graphics |= conf_xml_is(n, "graphics");
		}
		if (!ok)
			return false;
	}
	if (!d->emulator)
		d->emulator = g_strdup(DOMAIN_DEFAULT_EMULATOR);
	pair_console(d);
	/* libvirt adds a PS/2 mouse and keyboard to x86 guests with graphics */
	if (have_graphics) {
		if (!has_input(d, "mouse", "ps2")) {
			struct domain_input *in = APPEND(d->inputs, d->ninputs);
			in->type = g_strdup("mouse");
			in->bus = g_strdup("ps2");
		}
		if (!has_input(d, "keyboard", "ps2")) {
			struct domain_input *in = APPEND(d->inputs, d->ninputs);
			in->type = g_strdup("keyboard");
			in->bus = g_strdup("ps2");
		}
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
