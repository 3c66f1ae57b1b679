/* The define-time whitelist: what tandem's one PC machine can run today.
 * Everything else is refused with VIR_ERR_CONFIG_UNSUPPORTED naming the
 * element, the way libvirt drivers' deviceValidate callbacks do. */
#include "vmm/machine_config.h"
#include "conf/conf_error.h"
#include "conf/conf_xml.h"
#include "conf/domain_def.h"
#include "conf/domain_virtio.h"

#include <string.h>

static bool unsupported_device(GError **err, const char *elem)
{
	return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "tandem does not support <%s> devices yet", elem);
}

/* Kept devices: chardevs, disks and NICs land there for source types
 * tandem does not model, so name the type too. */
static bool unsupported_raw(GError **err, const struct domain_raw *r)
{
	g_autofree char *type = NULL;
	xmlDoc *doc = conf_xml_read(r->xml, NULL);
	if (doc) {
		type = conf_xml_prop(xmlDocGetRootElement(doc), "type");
		xmlFreeDoc(doc);
	}
	bool typed = !strcmp(r->name, "serial") || !strcmp(r->name, "console") ||
		     !strcmp(r->name, "disk") || !strcmp(r->name, "interface");
	if (typed && type)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "tandem does not support <%s type='%s'>",
				  r->name, type);
	return unsupported_device(err, r->name);
}

static bool check_chr(const struct domain_chr *c, const char *elem, GError **err)
{
	if (strcmp(c->type, "pty") != 0 && strcmp(c->type, "file") != 0)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				  "tandem does not support <%s type='%s'>: only pty and file", elem, c->type);
	if (!strcmp(c->type, "file") && !c->source_path)
		return conf_error(err, VIR_ERR_XML_ERROR, "<%s type='file'> needs <source path=...>", elem);
	return true;
}

static bool check_lifecycle(const char *elem, enum domain_lifecycle_action a, GError **err)
{
	if (a == LIFECYCLE_DESTROY || a == LIFECYCLE_RESTART)
		return true;
	return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "tandem does not support <%s>%s</%s>",
			  elem, domain_lifecycle_action_name(a), elem);
}

static bool check_devices(const struct domain_def *d, unsigned support, GError **err)
{
	if (!(support & DOMAIN_SUPPORT_VIRTIO)) {
		if (d->ndisks)
			return unsupported_device(err, "disk");
		if (d->nnets)
			return unsupported_device(err, "interface");
		if (d->nrngs)
			return unsupported_device(err, "rng");
	} else if (!domain_virtio_check(d, err))
		return false;
	if (d->nother_devices)
		return unsupported_raw(err, &d->other_devices[0]);
	if (d->nserials > 1)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				  "tandem supports one <serial> device (ttyS0), not %zu", d->nserials);
	for (size_t i = 0; i < d->nserials; i++) {
		const struct domain_chr *c = &d->serials[i];
		if (!check_chr(c, "serial", err))
			return false;
		if (strcmp(c->target_type, "isa-serial") != 0)
			return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
					  "tandem does not support serial target type '%s': only isa-serial", c->target_type);
		if (c->port != 0)
			return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
					  "tandem does not support serial port %d: only port 0 (ttyS0)", c->port);
	}
	if (d->nconsoles && !(support & DOMAIN_SUPPORT_VIRTIO))
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				  "tandem does not support <console> with target type '%s' yet: only the serial console",
				  d->consoles[0].target_type);
	for (size_t i = 0; i < d->ninputs; i++) {
		const struct domain_input *in = &d->inputs[i];
		if ((strcmp(in->type, "keyboard") != 0 && strcmp(in->type, "mouse") != 0) ||
		    g_strcmp0(in->bus, "ps2") != 0)
			return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
					  "tandem does not support <input type='%s' bus='%s'>: only the PS/2 keyboard and mouse",
					  in->type, in->bus ? in->bus : "");
	}
	for (size_t i = 0; i < d->ncontrollers; i++) {
		const struct domain_controller *c = &d->controllers[i];
		bool ok = (!strcmp(c->type, "pci") && c->index == 0 && (!c->model || !strcmp(c->model, "pci-root"))) ||
			  (!strcmp(c->type, "usb") && !g_strcmp0(c->model, "none"));
		if (!ok)
			return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
					  "tandem does not support <controller type='%s' model='%s'>", c->type,
					  c->model ? c->model : "");
	}
	if (strcmp(d->memballoon_model, "none") != 0)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				  "tandem does not support <memballoon model='%s'>: only model='none'", d->memballoon_model);
	return true;
}

/* What tandem keeps without interpreting (features, timers, <cpu>,
 * <pm>, metadata) is formatted back as written, unknown attributes
 * included; libvirt would have dropped those. What we hand out must pass
 * libvirt's schema (virsh edit redefines with VALIDATE), so check it
 * here, once, rather than at every XMLDesc. Skipped if the schema is not
 * installed. */
static bool check_schema(const struct domain_def *d, GError **err)
{
	const char *rng = g_getenv("TANDEM_DOMAIN_RNG");
	if (!rng || !*rng)
		rng = DOMAIN_DEFAULT_SCHEMA;
	if (!g_file_test(rng, G_FILE_TEST_EXISTS))
		return true;
	g_autofree char *xml = domain_def_format(d, NULL, DOMAIN_XML_INACTIVE | DOMAIN_XML_SECURE);
	g_autoptr(GError) e = NULL;
	if (domain_xml_validate(xml, &e))
		return true;
	return conf_error(err, VIR_ERR_XML_INVALID_SCHEMA,
			  "the definition as tandem keeps it does not validate against %s "
			  "(elements tandem does not interpret are kept as written): %s", rng, e->message);
}

bool domain_def_check_supported(const struct domain_def *d, GError **err)
{
	return domain_def_check_supported_with(d, DOMAIN_SUPPORT_DEFAULT, err);
}

bool domain_def_check_supported_with(const struct domain_def *d, unsigned support, GError **err)
{
	if (strcmp(d->os_type, "hvm") != 0 || strcmp(d->arch, "x86_64") != 0)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "tandem runs hvm x86_64 guests only, not %s %s",
				  d->os_type, d->arch);
	if (d->loader)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				  "tandem does not support <loader> (firmware) yet: boot a <kernel>");
	if (!d->kernel || !*d->kernel)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				  "tandem needs <os><kernel>: booting from disk or firmware is not supported yet");
	if (d->memory_kib < 2 * 1024 || d->memory_kib > (1ULL << 30))
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				  "tandem guests have 2 MiB to 1 TiB of memory, not %" G_GUINT64_FORMAT " KiB",
				  d->memory_kib);
	if (d->max_memory_kib)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "tandem does not support memory hotplug (<maxMemory>)");
	if (d->vcpus > CONFIG_MAX_CPUS)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "tandem supports at most %d vcpus, not %u",
				  CONFIG_MAX_CPUS, d->vcpus);
	if (d->vcpus_current != d->vcpus)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				  "tandem does not support vcpu hotplug (<vcpu current='%u'>%u</vcpu>)",
				  d->vcpus_current, d->vcpus);
	if (strcmp(d->clock_offset, "utc") != 0)
		return conf_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
				  "tandem does not support <clock offset='%s'>: the RTC runs in UTC", d->clock_offset);
	if (!check_lifecycle("on_poweroff", d->on_poweroff, err) ||
	    !check_lifecycle("on_reboot", d->on_reboot, err) ||
	    !check_lifecycle("on_crash", d->on_crash, err))
		return false;
	return check_devices(d, support, err) && check_schema(d, err);
}
