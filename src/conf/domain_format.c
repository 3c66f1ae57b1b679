/* struct domain_def -> domain XML, in libvirt's element order and style
 * (2-space indentation, single-quoted attributes), inactive or live. */
#include "conf/conf_xml.h"
#include "conf/domain_def.h"
#include "conf/domain_virtio.h"

#include <stdarg.h>
#include <string.h>

struct fmt {
	GString *s;
	int ind;
	bool live;
	bool secure;
	const struct domain_live *state;
};

/* s escaped for XML text, or for a single-quoted attribute value (which
 * must also keep tabs and newlines: a parser turns literal ones into
 * spaces there). Carriage returns are references everywhere, or a parser
 * would turn them into newlines. */
static void escape(GString *out, const char *s, bool attr)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': g_string_append(out, "&amp;"); break;
		case '<': g_string_append(out, "&lt;"); break;
		case '>': g_string_append(out, "&gt;"); break;
		case '\'': g_string_append(out, attr ? "&apos;" : "'"); break;
		case '"': g_string_append(out, attr ? "&quot;" : "\""); break;
		case '\r': g_string_append(out, "&#13;"); break;
		case '\n': g_string_append(out, attr ? "&#10;" : "\n"); break;
		case '\t': g_string_append(out, attr ? "&#9;" : "\t"); break;
		default: g_string_append_c(out, *s);
		}
	}
}

/* " name='value'" */
static void attr(GString *out, const char *name, const char *value)
{
	g_string_append_printf(out, " %s='", name);
	escape(out, value, true);
	g_string_append_c(out, '\'');
}

/* G_GUINT64_FORMAT is "lu" here: line() below relies on it. */
G_STATIC_ASSERT(sizeof(guint64) == sizeof(unsigned long));

/* One line at the current indentation. The format understands %s
 * (escaped: as an attribute value right after a quote, else as text),
 * %d, %u, %zu and G_GUINT64_FORMAT, which is all this file uses. */
G_GNUC_PRINTF(2, 3)
static void line(struct fmt *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_string_append_printf(f->s, "%*s", f->ind, "");
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			g_string_append_c(f->s, *p);
			continue;
		}
		p++;
		if (*p == 's')
			escape(f->s, va_arg(ap, const char *), p - 2 >= fmt && p[-2] == '\'');
		else if (*p == 'd')
			g_string_append_printf(f->s, "%d", va_arg(ap, int));
		else if (*p == 'u')
			g_string_append_printf(f->s, "%u", va_arg(ap, unsigned));
		else if (p[0] == 'z' && p[1] == 'u') {
			g_string_append_printf(f->s, "%zu", va_arg(ap, size_t));
			p++;
		} else if (p[0] == 'l' && p[1] == 'u') {
			g_string_append_printf(f->s, "%lu", va_arg(ap, unsigned long));
			p++;
		} else
			g_error("domain_format: unsupported conversion in '%s'", fmt);
	}
	va_end(ap);
	g_string_append_c(f->s, '\n');
}

#define OPEN(f, ...) (line(f, __VA_ARGS__), (f)->ind += 2)
#define CLOSE(f, ...) ((f)->ind -= 2, line(f, __VA_ARGS__))

/* A kept element, re-indented to the current level. */
static void raw_quoted(struct fmt *f, const struct domain_raw *r, char quote)
{
	/* graphics passwords only with VIR_DOMAIN_XML_SECURE, as libvirt */
	const char *drop = !f->secure && !strcmp(r->name, "graphics") ? "passwd" : NULL;
	g_autofree char *x = conf_xml_reindent_without(r->xml, f->ind / 2, quote, drop);
	g_string_append_printf(f->s, "%*s%s\n", f->ind, "", x);
}

static void raw(struct fmt *f, const struct domain_raw *r)
{
	raw_quoted(f, r, '\'');
}

static void raws_named(struct fmt *f, const struct domain_raw *r, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(r[i].name, name))
			raw(f, &r[i]);
}

static void fmt_memory(struct fmt *f, const struct domain_def *d)
{
	if (d->max_memory_kib) {
		if (d->max_memory_slots)
			line(f, "<maxMemory slots='%u' unit='KiB'>%" G_GUINT64_FORMAT "</maxMemory>",
			     d->max_memory_slots, d->max_memory_kib);
		else
			line(f, "<maxMemory unit='KiB'>%" G_GUINT64_FORMAT "</maxMemory>", d->max_memory_kib);
	}
	line(f, "<memory unit='KiB'>%" G_GUINT64_FORMAT "</memory>", d->memory_kib);
	line(f, "<currentMemory unit='KiB'>%" G_GUINT64_FORMAT "</currentMemory>", d->current_memory_kib);
	g_string_append_printf(f->s, "%*s<vcpu", f->ind, "");
	attr(f->s, "placement", d->vcpu_placement ? d->vcpu_placement : "static");
	if (d->vcpu_cpuset)
		attr(f->s, "cpuset", d->vcpu_cpuset);
	if (d->vcpus_current != d->vcpus)
		g_string_append_printf(f->s, " current='%u'", d->vcpus_current);
	g_string_append_printf(f->s, ">%u</vcpu>\n", d->vcpus);
}

static void fmt_os(struct fmt *f, const struct domain_def *d)
{
	OPEN(f, "<os>");
	line(f, "<type arch='%s' machine='%s'>%s</type>", d->arch ? d->arch : "x86_64",
	     d->machine ? d->machine : "pc", d->os_type ? d->os_type : "hvm");
	if (d->loader)
		raw(f, d->loader);
	if (d->kernel)
		line(f, "<kernel>%s</kernel>", d->kernel);
	if (d->initrd)
		line(f, "<initrd>%s</initrd>", d->initrd);
	if (d->cmdline)
		line(f, "<cmdline>%s</cmdline>", d->cmdline);
	for (size_t i = 0; i < G_N_ELEMENTS(d->boot_devs) && d->boot_devs[i]; i++)
		line(f, "<boot dev='%s'/>", d->boot_devs[i]);
	CLOSE(f, "</os>");
}

static void fmt_features_clock(struct fmt *f, const struct domain_def *d)
{
	if (d->acpi || d->apic || d->pae || d->nfeatures) {
		OPEN(f, "<features>");
		if (d->acpi)
			line(f, "<acpi/>");
		if (d->apic)
			line(f, "<apic/>");
		if (d->pae)
			line(f, "<pae/>");
		for (size_t i = 0; i < d->nfeatures; i++)
			raw(f, &d->features[i]);
		CLOSE(f, "</features>");
	}
	if (d->cpu)
		raw(f, d->cpu);

	g_string_append_printf(f->s, "%*s<clock", f->ind, "");
	attr(f->s, "offset", d->clock_offset ? d->clock_offset : "utc");
	if (d->clock_adjustment)
		attr(f->s, "adjustment", d->clock_adjustment);
	if (d->clock_basis)
		attr(f->s, "basis", d->clock_basis);
	if (d->clock_timezone)
		attr(f->s, "timezone", d->clock_timezone);
	if (!d->ntimers)
		g_string_append(f->s, "/>\n");
	else {
		g_string_append(f->s, ">\n");
		f->ind += 2;
		for (size_t i = 0; i < d->ntimers; i++)
			raw(f, &d->timers[i]);
		CLOSE(f, "</clock>");
	}
	line(f, "<on_poweroff>%s</on_poweroff>", domain_lifecycle_action_name(d->on_poweroff));
	line(f, "<on_reboot>%s</on_reboot>", domain_lifecycle_action_name(d->on_reboot));
	line(f, "<on_crash>%s</on_crash>", domain_lifecycle_action_name(d->on_crash));
	if (d->pm)
		raw(f, d->pm);
}

static void fmt_disk(struct fmt *f, const struct domain_disk *k)
{
	OPEN(f, "<disk type='%s' device='%s'>", k->type, k->device);
	if (k->driver_name && k->driver_type)
		line(f, "<driver name='%s' type='%s'/>", k->driver_name, k->driver_type);
	else if (k->driver_name)
		line(f, "<driver name='%s'/>", k->driver_name);
	else if (k->driver_type)
		line(f, "<driver type='%s'/>", k->driver_type);
	if (k->source) {
		if (!strcmp(k->type, "block"))
			line(f, "<source dev='%s'/>", k->source);
		else if (!strcmp(k->type, "dir"))
			line(f, "<source dir='%s'/>", k->source);
		else
			line(f, "<source file='%s'/>", k->source);
	}
	line(f, "<target dev='%s' bus='%s'/>", k->target_dev, k->target_bus);
	if (k->boot_order)
		line(f, "<boot order='%u'/>", k->boot_order);
	if (k->readonly)
		line(f, "<readonly/>");
	if (k->shareable)
		line(f, "<shareable/>");
	if (k->serial)
		line(f, "<serial>%s</serial>", k->serial);
	CLOSE(f, "</disk>");
}

static void fmt_net(struct fmt *f, const struct domain_net *n)
{
	OPEN(f, "<interface type='%s'>", n->type);
	line(f, "<mac address='%s'/>", n->mac);
	if (n->source) {
		if (!strcmp(n->type, "bridge"))
			line(f, "<source bridge='%s'/>", n->source);
		else if (f->live && n->bridge)
			line(f, "<source network='%s' bridge='%s'/>", n->source, n->bridge);
		else
			line(f, "<source network='%s'/>", n->source);
	}
	g_autofree char *tap = f->live ? domain_net_tap_name(n) : NULL;
	if (tap || n->target_dev)
		line(f, "<target dev='%s'/>", tap ? tap : n->target_dev);
	if (n->model)
		line(f, "<model type='%s'/>", n->model);
	if (n->boot_order)
		line(f, "<boot order='%u'/>", n->boot_order);
	CLOSE(f, "</interface>");
}

/* libvirt's <target><model name=> for a serial target type. */
static const char *serial_model(const char *target_type)
{
	static const char *const map[][2] = {
		{ "isa-serial", "isa-serial" }, { "usb-serial", "usb-serial" },
		{ "pci-serial", "pci-serial" }, { "isa-debug", "isa-debugcon" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(map); i++)
		if (!strcmp(map[i][0], target_type))
			return map[i][1];
	return NULL;
}

/* The source of a chardev: a pty's path only in live XML. */
static void fmt_chr_source(struct fmt *f, const struct domain_chr *c, bool first_serial)
{
	if (!strcmp(c->type, "pty")) {
		if (f->live && first_serial && f->state->serial_pty)
			line(f, "<source path='%s'/>", f->state->serial_pty);
	} else if (c->source_path)
		line(f, "<source path='%s'/>", c->source_path);
}

static void fmt_serial(struct fmt *f, const struct domain_chr *c, size_t i)
{
	OPEN(f, "<serial type='%s'>", c->type);
	fmt_chr_source(f, c, i == 0);
	const char *model = serial_model(c->target_type);
	if (model) {
		OPEN(f, "<target type='%s' port='%d'>", c->target_type, c->port);
		line(f, "<model name='%s'/>", model);
		CLOSE(f, "</target>");
	} else
		line(f, "<target type='%s' port='%d'/>", c->target_type, c->port);
	if (f->live)
		line(f, "<alias name='serial%zu'/>", i);
	CLOSE(f, "</serial>");
}

/* serial0's second face: <console><target type='serial'/>. */
static void fmt_console_stub(struct fmt *f, const struct domain_chr *serial0)
{
	bool pty_live = f->live && !strcmp(serial0->type, "pty") && f->state->serial_pty;
	if (pty_live)
		OPEN(f, "<console type='%s' tty='%s'>", serial0->type, f->state->serial_pty);
	else
		OPEN(f, "<console type='%s'>", serial0->type);
	fmt_chr_source(f, serial0, true);
	line(f, "<target type='serial' port='%d'/>", serial0->port);
	if (f->live)
		line(f, "<alias name='serial0'/>");
	CLOSE(f, "</console>");
}

static void fmt_console(struct fmt *f, const struct domain_chr *c, size_t i)
{
	OPEN(f, "<console type='%s'>", c->type);
	fmt_chr_source(f, c, false);
	line(f, "<target type='%s' port='%d'/>", c->target_type, c->port);
	if (f->live)
		line(f, "<alias name='console%zu'/>", i);
	CLOSE(f, "</console>");
}

static void fmt_devices(struct fmt *f, const struct domain_def *d)
{
	const struct domain_raw *o = d->other_devices;
	size_t no = d->nother_devices;
	OPEN(f, "<devices>");
	line(f, "<emulator>%s</emulator>", d->emulator ? d->emulator : DOMAIN_DEFAULT_EMULATOR);
	for (size_t i = 0; i < d->ndisks; i++)
		fmt_disk(f, &d->disks[i]);
	raws_named(f, o, no, "disk");
	for (size_t i = 0; i < d->ncontrollers; i++) {
		const struct domain_controller *c = &d->controllers[i];
		if (c->model)
			line(f, "<controller type='%s' index='%d' model='%s'/>", c->type, c->index, c->model);
		else
			line(f, "<controller type='%s' index='%d'/>", c->type, c->index);
	}
	raws_named(f, o, no, "lease");
	raws_named(f, o, no, "filesystem");
	for (size_t i = 0; i < d->nnets; i++)
		fmt_net(f, &d->nets[i]);
	raws_named(f, o, no, "interface");
	raws_named(f, o, no, "smartcard");
	for (size_t i = 0; i < d->nserials; i++)
		fmt_serial(f, &d->serials[i], i);
	raws_named(f, o, no, "serial");
	raws_named(f, o, no, "parallel");
	if (d->nserials)
		fmt_console_stub(f, &d->serials[0]);
	for (size_t i = 0; i < d->nconsoles; i++)
		fmt_console(f, &d->consoles[i], i + (d->nserials ? 1 : 0));
	raws_named(f, o, no, "console");
	raws_named(f, o, no, "channel");
	for (size_t i = 0; i < d->ninputs; i++) {
		const struct domain_input *in = &d->inputs[i];
		if (in->bus)
			line(f, "<input type='%s' bus='%s'/>", in->type, in->bus);
		else
			line(f, "<input type='%s'/>", in->type);
	}
	static const char *const middle[] = {
		"tpm", "graphics", "sound", "audio", "video", "hostdev", "redirdev", "redirfilter",
		"hub", "watchdog",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(middle); i++)
		raws_named(f, o, no, middle[i]);
	line(f, "<memballoon model='%s'/>", d->memballoon_model ? d->memballoon_model : "none");
	for (size_t i = 0; i < d->nrngs; i++) {
		const struct domain_rng *r = &d->rngs[i];
		OPEN(f, "<rng model='%s'>", r->model);
		if (r->backend)
			line(f, "<backend model='%s'>%s</backend>", r->backend_model, r->backend);
		else
			line(f, "<backend model='%s'/>", r->backend_model);
		CLOSE(f, "</rng>");
	}
	static const char *const tail[] = { "nvram", "panic", "shmem", "memory", "iommu", "vsock", "crypto" };
	for (size_t i = 0; i < G_N_ELEMENTS(tail); i++)
		raws_named(f, o, no, tail[i]);
	CLOSE(f, "</devices>");
}

char *domain_def_format(const struct domain_def *d, const struct domain_live *live, unsigned flags)
{
	struct fmt f = {
		.s = g_string_new(NULL),
		.live = live && !(flags & DOMAIN_XML_INACTIVE),
		.secure = flags & DOMAIN_XML_SECURE,
		.state = live,
	};
	const char *virt = d->virt == DOMAIN_VIRT_KVM ? "kvm" : "qemu";
	if (f.live)
		OPEN(&f, "<domain type='%s' id='%d'>", virt, live->id);
	else
		OPEN(&f, "<domain type='%s'>", virt);
	line(&f, "<name>%s</name>", d->name);
	g_autofree char *uuid = domain_uuid_format(d->uuid);
	line(&f, "<uuid>%s</uuid>", uuid);
	if (d->title)
		line(&f, "<title>%s</title>", d->title);
	if (d->description)
		line(&f, "<description>%s</description>", d->description);
	if (d->metadata_xml) {
		struct domain_raw m = { .name = (char *)"metadata", .xml = d->metadata_xml };
		raw_quoted(&f, &m, '"');
	}
	fmt_memory(&f, d);
	fmt_os(&f, d);
	fmt_features_clock(&f, d);
	fmt_devices(&f, d);
	CLOSE(&f, "</domain>");
	return g_string_free(f.s, FALSE);
}
