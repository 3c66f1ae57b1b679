/* Domain XML -> struct domain_def: the <domain> element and everything
 * outside <devices>, with libvirt 9.0's defaults and error codes. Like
 * libvirt it runs in three phases: parse (elements in libvirt's order,
 * syntax and enum values), post-parse (capabilities, defaults, sizes,
 * device defaults) and validate (cross-checks). */
#include "conf/conf_error.h"
#include "conf/conf_xml.h"
#include "conf/domain_parse_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* libvirt's virDomainVirtType names: known to libvirt, but only qemu and
 * kvm have capabilities here. */
static const char *const virt_types_known[] = {
	"none", "qemu", "kqemu", "kvm", "xen", "lxc", "uml", "openvz", "test", "vmware",
	"hyperv", "vbox", "phyp", "parallels", "bhyve", "vz", "hvf", NULL,
};

/* libvirt's virArch names. */
static const char *const arches_known[] = {
	"alpha", "armv6l", "armv7l", "armv7b", "aarch64", "cris", "i686", "ia64", "lm32",
	"loongarch64", "m68k", "microblaze", "microblazeel", "mips", "mipsel", "mips64",
	"mips64el", "openrisc", "parisc", "parisc64", "ppc", "ppcle", "ppc64", "ppc64le",
	"ppcemb", "riscv32", "riscv64", "s390", "s390x", "sh4", "sh4eb", "sparc", "sparc64",
	"unicore32", "x86_64", "xtensa", "xtensaeb", NULL,
};

static const char *const os_types_known[] = { "hvm", "xen", "linux", "exe", "xenpvh", NULL };
static const char *const boot_devs_known[] = { "fd", "hd", "cdrom", "network", NULL };
static const char *const clock_offsets[] = { "utc", "localtime", "variable", "timezone", NULL };
/* libvirt's virDomainFeature and virDomainTimerName names. */
static const char *const features_known[] = {
	"acpi", "apic", "pae", "hap", "viridian", "privnet", "hyperv", "kvm", "pvspinlock",
	"capabilities", "pmu", "vmport", "gic", "smm", "ioapic", "hpt", "vmcoreinfo", "htm",
	"nested-hv", "msrs", "ccf-assist", "xen", "cfpc", "sbbc", "ibs", "tcg", "async-teardown", NULL,
};
static const char *const timers_known[] = {
	"platform", "pit", "rtc", "hpet", "tsc", "kvmclock", "hypervclock", "armvtimer", NULL,
};

bool domain_parse_ull(const char *s, unsigned long long *v)
{
	if (!s)
		return false;
	while (g_ascii_isspace(*s))
		s++;
	if (!g_ascii_isdigit(*s))
		return false;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno)
		return false;
	while (g_ascii_isspace(*end))
		end++;
	if (*end)
		return false;
	*v = x;
	return true;
}

bool domain_parse_in(const char *s, const char *const *names)
{
	for (; s && *names; names++)
		if (!strcmp(s, *names))
			return true;
	return false;
}

bool domain_parse_bad_attr(GError **err, const char *attr, const char *elem, const char *v)
{
	return conf_error(err, VIR_ERR_XML_ERROR, "Invalid value for attribute '%s' in element '%s': '%s'.",
			  attr, elem, v);
}

bool domain_parse_uint_prop(xmlNode *n, const char *attr, unsigned *v, GError **err)
{
	g_autofree char *s = conf_xml_prop(n, attr);
	unsigned long long x;
	if (!s)
		return true;
	if (!domain_parse_ull(s, &x) || x > G_MAXUINT)
		return conf_error(err, VIR_ERR_XML_ERROR,
				  "Invalid value for attribute '%s' in element '%s': '%s'. Expected %sinteger value",
				  attr, (const char *)n->name, s, strcmp(attr, "index") ? "non-negative " : "");
	*v = (unsigned)x;
	return true;
}

/* An attribute, with "" meaning absent (as libvirt reads these). */
static char *prop_nonempty(xmlNode *n, const char *name)
{
	char *v = conf_xml_prop(n, name);
	if (v && !*v)
		g_clear_pointer(&v, g_free);
	return v;
}

void domain_raw_set(struct domain_raw *r, xmlNode *n)
{
	r->name = g_strdup((const char *)n->name);
	r->xml = conf_xml_serialize(n, '\'');
}

struct domain_raw *domain_raw_new(xmlNode *n)
{
	struct domain_raw *r = g_new0(struct domain_raw, 1);
	domain_raw_set(r, n);
	return r;
}

static void raw_append(struct domain_raw **arr, size_t *n, xmlNode *node)
{
	*arr = g_renew(struct domain_raw, *arr, *n + 1);
	domain_raw_set(&(*arr)[*n], node);
	(*n)++;
}

/* libvirt's virScaleInteger + virDomainParseMemory: the value scaled by
 * its unit, limited to LLONG_MAX bytes, in KiB rounded up. */
static bool parse_memory(xmlNode *n, uint64_t *kib, GError **err)
{
	const char *elem = (const char *)n->name;
	g_autofree char *text = conf_xml_text(n);
	g_autofree char *unit = conf_xml_prop(n, "unit");
	unsigned long long v;
	if (!*text)
		return true; /* as if absent */
	/* strtoull's leading blanks are fine, trailing ones are not */
	if (g_ascii_isspace(text[strlen(text) - 1]) || !domain_parse_ull(text, &v))
		return conf_error(err, VIR_ERR_XML_ERROR, "Invalid value '%s' for element or attribute './%s[1]'",
				  text, elem);
	unsigned long long scale = 1024;
	if (unit && *unit) {
		if (!g_ascii_strcasecmp(unit, "b") || !g_ascii_strcasecmp(unit, "byte") ||
		    !g_ascii_strcasecmp(unit, "bytes"))
			scale = 1;
		else {
			unsigned long long base;
			if (!unit[1] || !g_ascii_strcasecmp(unit + 1, "iB"))
				base = 1024;
			else if (g_ascii_tolower(unit[1]) == 'b' && !unit[2])
				base = 1000;
			else
				return conf_error(err, VIR_ERR_INVALID_ARG, "unknown suffix '%s'", unit);
			const char *p = strchr("kmgtpe", g_ascii_tolower(unit[0]));
			if (!p || !unit[0])
				return conf_error(err, VIR_ERR_INVALID_ARG, "unknown suffix '%s'", unit);
			scale = 1;
			for (const char *q = "kmgtpe"; q <= p; q++)
				scale *= base;
		}
	}
	const unsigned long long limit = G_MAXINT64;
	if (v && v > limit / scale)
		return conf_error(err, VIR_ERR_OVERFLOW, "value too large: %llu%s", v, unit ? unit : "");
	unsigned long long bytes = v * scale;
	*kib = bytes / 1024 + (bytes % 1024 != 0);
	if (*kib >= limit / 1024 + 1)
		return conf_error(err, VIR_ERR_OVERFLOW, "size value too large");
	return true;
}

/* libvirt formats features in its enum's order, features_known's. */
static size_t feature_rank(const char *name)
{
	size_t i = 0;
	while (features_known[i] && strcmp(features_known[i], name) != 0)
		i++;
	return i;
}

static void feature_insert(struct domain_def *d, xmlNode *n)
{
	size_t rank = feature_rank((const char *)n->name), at = d->nfeatures;
	while (at > 0 && feature_rank(d->features[at - 1].name) > rank)
		at--;
	d->features = g_renew(struct domain_raw, d->features, d->nfeatures + 1);
	memmove(&d->features[at + 1], &d->features[at], (d->nfeatures - at) * sizeof(*d->features));
	domain_raw_set(&d->features[at], n);
	d->nfeatures++;
}

static bool parse_lifecycle(xmlNode *root, const char *elem, bool crash,
			    enum domain_lifecycle_action *out, GError **err)
{
	xmlNode *n = conf_xml_child(root, elem);
	if (!n)
		return true;
	g_autofree char *v = conf_xml_text(n);
	if (!*v)
		return true; /* as if absent */
	(void)crash; /* crash-only actions elsewhere are refused by validate_lifecycle() */
	for (enum domain_lifecycle_action a = LIFECYCLE_DESTROY; a <= LIFECYCLE_COREDUMP_RESTART; a++)
		if (!strcmp(v, domain_lifecycle_action_name(a))) {
			*out = a;
			return true;
		}
	return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "unknown %s action: %s", elem, v);
}

static bool validate_lifecycle(const char *event, enum domain_lifecycle_action a, GError **err)
{
	if (a < LIFECYCLE_COREDUMP_DESTROY)
		return true;
	return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "Lifecycle event '%s' doesn't support '%s' action",
			  event, domain_lifecycle_action_name(a));
}

static bool parse_vcpu(struct domain_def *d, xmlNode *n, GError **err)
{
	d->vcpus = 1;
	if (!n) {
		d->vcpus_current = 1;
		d->vcpu_placement = g_strdup("static");
		return true;
	}
	g_autofree char *text = conf_xml_text(n);
	unsigned long long v;
	if (!domain_parse_ull(text, &v) || v > G_MAXUINT)
		return conf_error(err, VIR_ERR_XML_ERROR, "maximum vcpus count must be an integer");
	d->vcpus = (unsigned)v;
	d->vcpus_current = d->vcpus;
	if (!domain_parse_uint_prop(n, "current", &d->vcpus_current, err))
		return false;
	d->vcpu_placement = conf_xml_prop(n, "placement");
	if (!d->vcpu_placement)
		d->vcpu_placement = g_strdup("static");
	else if (strcmp(d->vcpu_placement, "static") && strcmp(d->vcpu_placement, "auto"))
		return domain_parse_bad_attr(err, "placement", "vcpu", d->vcpu_placement);
	d->vcpu_cpuset = conf_xml_prop(n, "cpuset");
	if (d->vcpus_current > d->vcpus)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				  "maximum vCPU count must not be less than current vCPU count");
	if (d->vcpus == 0) /* libvirt's words for it */
		return conf_error(err, VIR_ERR_INTERNAL_ERROR, "CPU IDs in <numa> exceed the <vcpu> count");
	return true;
}

static bool parse_os_type(struct domain_def *d, xmlNode *os, GError **err)
{
	xmlNode *type = conf_xml_child(os, "type");
	if (type)
		d->os_type = conf_xml_text(type);
	if (!d->os_type || !*d->os_type)
		return conf_error(err, VIR_ERR_XML_ERROR, "an os <type> must be specified");
	if (!domain_parse_in(d->os_type, os_types_known))
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "unknown OS type '%s'", d->os_type);
	d->arch = prop_nonempty(type, "arch");
	if (d->arch && !domain_parse_in(d->arch, arches_known))
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "Unknown architecture %s", d->arch);
	if (!d->arch)
		d->arch = g_strdup("x86_64"); /* libvirt defaults to the host's */
	d->machine = prop_nonempty(type, "machine");
	if (!d->machine)
		d->machine = g_strdup("pc");
	return true;
}

static bool parse_os(struct domain_def *d, xmlNode *os, GError **err)
{
	xmlNode *loader = conf_xml_child(os, "loader");
	if (loader)
		d->loader = domain_raw_new(loader);
	xmlNode *n;
	if ((n = conf_xml_child(os, "kernel")))
		d->kernel = conf_xml_text(n);
	if ((n = conf_xml_child(os, "initrd")))
		d->initrd = conf_xml_text(n);
	if ((n = conf_xml_child(os, "cmdline")))
		d->cmdline = conf_xml_text(n);

	size_t nboot = 0;
	/* libvirt reads <boot dev> for hvm guests only */
	for (xmlNode *c = strcmp(d->os_type, "hvm") ? NULL : os->children; c; c = c->next) {
		if (!conf_xml_is(c, "boot"))
			continue;
		g_autofree char *dev = conf_xml_prop(c, "dev");
		if (!dev)
			return conf_error(err, VIR_ERR_XML_ERROR, "Missing required attribute 'dev' in element 'boot'");
		if (!domain_parse_in(dev, boot_devs_known))
			return domain_parse_bad_attr(err, "dev", "boot", dev);
		if (nboot < G_N_ELEMENTS(d->boot_devs) - 1) /* libvirt keeps the first ones */
			d->boot_devs[nboot++] = g_steal_pointer(&dev);
	}
	return true;
}

static bool parse_clock(struct domain_def *d, xmlNode *clock, GError **err)
{
	if (!clock) {
		d->clock_offset = g_strdup("utc");
		return true;
	}
	d->clock_offset = prop_nonempty(clock, "offset");
	if (!d->clock_offset)
		d->clock_offset = g_strdup("utc");
	if (!domain_parse_in(d->clock_offset, clock_offsets))
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "unknown clock offset '%s'", d->clock_offset);
	d->clock_adjustment = conf_xml_prop(clock, "adjustment");
	d->clock_basis = conf_xml_prop(clock, "basis");
	d->clock_timezone = conf_xml_prop(clock, "timezone");
	if (!strcmp(d->clock_offset, "timezone") && !d->clock_timezone)
		return conf_error(err, VIR_ERR_INTERNAL_ERROR, "missing 'timezone' attribute for clock with offset='timezone'");
	for (xmlNode *c = clock->children; c; c = c->next) {
		if (!conf_xml_is(c, "timer"))
			continue;
		g_autofree char *name = conf_xml_prop(c, "name");
		if (!name)
			return conf_error(err, VIR_ERR_XML_ERROR, "Missing required attribute 'name' in element 'timer'");
		if (!domain_parse_in(name, timers_known))
			return domain_parse_bad_attr(err, "name", "timer", name);
		g_autofree char *present = conf_xml_prop(c, "present");
		if (present && strcmp(present, "yes") && strcmp(present, "no"))
			return domain_parse_bad_attr(err, "present", "timer", present);
		raw_append(&d->timers, &d->ntimers, c);
	}
	return true;
}

/* libvirt's capabilities check (virCapabilitiesDomainSupported), done
 * after parsing as libvirt's post-parse callback does it. */
static bool check_caps(const struct domain_def *d, const char *virt, unsigned flags, GError **err)
{
	if (!strcmp(d->os_type, "hvm") && !strcmp(d->arch, "x86_64") &&
	    (!strcmp(virt, "qemu") || (!strcmp(virt, "kvm") && !(flags & DOMAIN_DEF_PARSE_NO_KVM))))
		return true;
	return conf_error(err, VIR_ERR_INVALID_ARG, "could not find capabilities for ostype=%s arch=%s domaintype=%s",
			  d->os_type, d->arch, virt);
}

/* The document, in the order libvirt 9.0 reads it, so that a document
 * with several errors gets the error libvirt reports first. */
static bool parse_root(struct domain_def *d, xmlNode *root, const char *virt, GError **err)
{
	xmlNode *n = conf_xml_child(root, "name");
	d->name = n ? conf_xml_text(n) : NULL;
	if (!d->name || !*d->name)
		return conf_error(err, VIR_ERR_NO_NAME, "missing name information");
	if (strchr(d->name, '\n'))
		return conf_error(err, VIR_ERR_XML_DETAIL, "invalid char in name: \n");
	if ((n = conf_xml_child(root, "uuid"))) {
		g_autofree char *u = conf_xml_text(n);
		if (!domain_uuid_parse(u, d->uuid))
			return conf_error(err, VIR_ERR_INTERNAL_ERROR, "malformed uuid element");
	} else
		domain_uuid_generate(d->uuid);

	if (!virt)
		return conf_error(err, VIR_ERR_INTERNAL_ERROR, "missing domain type attribute");
	if (!domain_parse_in(virt, virt_types_known))
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "invalid domain type %s", virt);
	xmlNode *os = conf_xml_child(root, "os");
	if (!parse_os_type(d, os, err))
		return false;
	d->virt = !strcmp(virt, "kvm") ? DOMAIN_VIRT_KVM : DOMAIN_VIRT_QEMU;

	if ((n = conf_xml_child(root, "title"))) {
		d->title = conf_xml_text(n);
		if (strchr(d->title, '\n'))
			return conf_error(err, VIR_ERR_XML_ERROR, "Domain title can't contain newlines");
	}
	if ((n = conf_xml_child(root, "description")))
		d->description = conf_xml_text(n);
	if ((n = conf_xml_child(root, "metadata")))
		d->metadata_xml = conf_xml_serialize(n, '"'); /* as libvirt (libxml2) writes it */

	if ((n = conf_xml_child(root, "memory")) && !parse_memory(n, &d->memory_kib, err))
		return false;
	if ((n = conf_xml_child(root, "currentMemory")) && !parse_memory(n, &d->current_memory_kib, err))
		return false;
	if ((n = conf_xml_child(root, "maxMemory"))) {
		if (!parse_memory(n, &d->max_memory_kib, err) ||
		    !domain_parse_uint_prop(n, "slots", &d->max_memory_slots, err))
			return false;
	}
	if (!parse_vcpu(d, conf_xml_child(root, "vcpu"), err))
		return false;

	if ((n = conf_xml_child(root, "features"))) {
		for (xmlNode *c = n->children; c; c = c->next) {
			if (c->type != XML_ELEMENT_NODE || c->ns)
				continue;
			if (conf_xml_is(c, "acpi"))
				d->acpi = true;
			else if (conf_xml_is(c, "apic"))
				d->apic = true;
			else if (conf_xml_is(c, "pae"))
				d->pae = true;
			else if (domain_parse_in((const char *)c->name, features_known))
				feature_insert(d, c);
			else
				return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "unexpected feature '%s'",
						  (const char *)c->name);
		}
	}
	d->on_poweroff = LIFECYCLE_DESTROY;
	d->on_reboot = LIFECYCLE_RESTART;
	d->on_crash = LIFECYCLE_DESTROY;
	if (!parse_lifecycle(root, "on_reboot", false, &d->on_reboot, err) ||
	    !parse_lifecycle(root, "on_poweroff", false, &d->on_poweroff, err) ||
	    !parse_lifecycle(root, "on_crash", true, &d->on_crash, err))
		return false;
	if ((n = conf_xml_child(root, "pm")))
		d->pm = domain_raw_new(n);
	if (!parse_clock(d, conf_xml_child(root, "clock"), err))
		return false;
	if (!parse_os(d, os, err))
		return false;
	if ((n = conf_xml_child(root, "cpu")))
		d->cpu = domain_raw_new(n);
	return domain_parse_devices(d, conf_xml_child(root, "devices"), err);
}

/* libvirt's post-parse callbacks: capabilities, defaults, sizes. */
static bool postparse(struct domain_def *d, const char *virt, unsigned flags, GError **err)
{
	if (!check_caps(d, virt, flags, err))
		return false;
	if (d->memory_kib == 0)
		return conf_error(err, VIR_ERR_XML_ERROR,
				  "Memory size must be specified via <memory> or in the <numa> configuration");
	if (d->current_memory_kib == 0 || d->current_memory_kib > d->memory_kib)
		d->current_memory_kib = d->memory_kib;
	if ((d->max_memory_kib || d->max_memory_slots) && !(d->max_memory_kib && d->max_memory_slots))
		return conf_error(err, VIR_ERR_XML_ERROR,
				  "both maximum memory size and memory slot count must be specified");
	if (!domain_parse_devices_post(d, err))
		return false;
	if (!domain_parse_has_device_boot(d) && !d->boot_devs[0])
		d->boot_devs[0] = g_strdup("hd");
	return true;
}

/* libvirt's validation, after post-parse. */
static bool validate(const struct domain_def *d, GError **err)
{
	/* the name becomes a file name in the driver's config directory */
	if (strchr(d->name, '/'))
		return conf_error(err, VIR_ERR_XML_ERROR, "name %s cannot contain '/'", d->name);
	if (domain_parse_has_device_boot(d) && d->boot_devs[0])
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				  "per-device boot elements cannot be used together with os/boot elements");
	return domain_parse_devices_validate(d, err) &&
	       validate_lifecycle("poweroff", d->on_poweroff, err) &&
	       validate_lifecycle("reboot", d->on_reboot, err);
}

static bool parse_domain(struct domain_def *d, xmlNode *root, unsigned flags, GError **err)
{
	if (!conf_xml_is(root, "domain"))
		return conf_error(err, VIR_ERR_XML_ERROR, "expecting root element of 'domain', not '%s'",
				  (const char *)root->name);
	g_autofree char *virt = conf_xml_prop(root, "type");
	return parse_root(d, root, virt, err) && postparse(d, virt, flags, err) && validate(d, err);
}

struct domain_def *domain_def_parse(const char *xml, unsigned flags, GError **err)
{
	if (!xml) {
		conf_error(err, VIR_ERR_INVALID_ARG, "no domain XML given");
		return NULL;
	}
	xmlDoc *doc = conf_xml_read(xml, err);
	if (!doc)
		return NULL;
	struct domain_def *d = NULL;
	xmlNode *root = xmlDocGetRootElement(doc);
	if (flags & DOMAIN_DEF_PARSE_VALIDATE) {
		/* libvirt checks the root element before it validates */
		if (!conf_xml_is(root, "domain")) {
			conf_error(err, VIR_ERR_XML_ERROR, "expecting root element of 'domain', not '%s'",
				   (const char *)root->name);
			goto out;
		}
		const char *rng = g_getenv("TANDEM_DOMAIN_RNG");
		if (!conf_xml_validate(doc, rng && *rng ? rng : DOMAIN_DEFAULT_SCHEMA, err))
			goto out;
	}
	d = g_new0(struct domain_def, 1);
	if (!parse_domain(d, root, flags, err)) {
		domain_def_free(d);
		d = NULL;
	}
out:
	xmlFreeDoc(doc);
	return d;
}

struct domain_def *domain_def_parse_file(const char *path, unsigned flags, GError **err)
{
	g_autofree char *xml = NULL;
	g_autoptr(GError) ferr = NULL;
	if (!g_file_get_contents(path, &xml, NULL, &ferr)) {
		conf_error(err, VIR_ERR_INTERNAL_ERROR, "cannot read domain XML: %s", ferr->message);
		return NULL;
	}
	return domain_def_parse(xml, flags, err);
}

bool domain_xml_validate(const char *xml, GError **err)
{
	xmlDoc *doc = conf_xml_read(xml, err);
	if (!doc)
		return false;
	const char *rng = g_getenv("TANDEM_DOMAIN_RNG");
	bool ok = conf_xml_validate(doc, rng && *rng ? rng : DOMAIN_DEFAULT_SCHEMA, err);
	xmlFreeDoc(doc);
	return ok;
}
