/* domain_def lifetime (free, copy, compare) and UUIDs. */
#include "conf/domain_def.h"

#include <string.h>

static const char *const lifecycle_names[] = {
	[LIFECYCLE_DESTROY] = "destroy",
	[LIFECYCLE_RESTART] = "restart",
	[LIFECYCLE_PRESERVE] = "preserve",
	[LIFECYCLE_RENAME_RESTART] = "rename-restart",
	[LIFECYCLE_COREDUMP_DESTROY] = "coredump-destroy",
	[LIFECYCLE_COREDUMP_RESTART] = "coredump-restart",
};

const char *domain_lifecycle_action_name(enum domain_lifecycle_action a)
{
	if ((unsigned)a >= G_N_ELEMENTS(lifecycle_names))
		return "destroy";
	return lifecycle_names[a];
}

static void raw_clear(struct domain_raw *r)
{
	g_free(r->name);
	g_free(r->xml);
}

static void raw_free(struct domain_raw *r)
{
	if (!r)
		return;
	raw_clear(r);
	g_free(r);
}

static void raws_free(struct domain_raw *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		raw_clear(&r[i]);
	g_free(r);
}

static void chr_clear(struct domain_chr *c)
{
	g_free(c->type);
	g_free(c->source_path);
	g_free(c->target_type);
}

void domain_def_free(struct domain_def *d)
{
	if (!d)
		return;
	g_free(d->name);
	g_free(d->title);
	g_free(d->description);
	g_free(d->metadata_xml);
	g_free(d->vcpu_placement);
	g_free(d->vcpu_cpuset);
	g_free(d->os_type);
	g_free(d->arch);
	g_free(d->machine);
	raw_free(d->loader);
	g_free(d->kernel);
	g_free(d->initrd);
	g_free(d->cmdline);
	for (size_t i = 0; i < G_N_ELEMENTS(d->boot_devs); i++)
		g_free(d->boot_devs[i]);
	raws_free(d->features, d->nfeatures);
	raw_free(d->cpu);
	g_free(d->clock_offset);
	g_free(d->clock_adjustment);
	g_free(d->clock_basis);
	g_free(d->clock_timezone);
	raws_free(d->timers, d->ntimers);
	raw_free(d->pm);
	g_free(d->emulator);
	for (size_t i = 0; i < d->ndisks; i++) {
		struct domain_disk *k = &d->disks[i];
		g_free(k->type);
		g_free(k->device);
		g_free(k->driver_name);
		g_free(k->driver_type);
		g_free(k->source);
		g_free(k->target_dev);
		g_free(k->target_bus);
		g_free(k->serial);
	}
	g_free(d->disks);
	for (size_t i = 0; i < d->ncontrollers; i++) {
		g_free(d->controllers[i].type);
		g_free(d->controllers[i].model);
	}
	g_free(d->controllers);
	for (size_t i = 0; i < d->nnets; i++) {
		struct domain_net *n = &d->nets[i];
		g_free(n->type);
		g_free(n->mac);
		g_free(n->source);
		g_free(n->bridge);
		g_free(n->target_dev);
		g_free(n->model);
	}
	g_free(d->nets);
	for (size_t i = 0; i < d->nserials; i++)
		chr_clear(&d->serials[i]);
	g_free(d->serials);
	for (size_t i = 0; i < d->nconsoles; i++)
		chr_clear(&d->consoles[i]);
	g_free(d->consoles);
	for (size_t i = 0; i < d->ninputs; i++) {
		g_free(d->inputs[i].type);
		g_free(d->inputs[i].bus);
	}
	g_free(d->inputs);
	for (size_t i = 0; i < d->nrngs; i++) {
		g_free(d->rngs[i].model);
		g_free(d->rngs[i].backend_model);
		g_free(d->rngs[i].backend);
	}
	g_free(d->rngs);
	g_free(d->memballoon_model);
	raws_free(d->other_devices, d->nother_devices);
	g_free(d);
}

struct domain_def *domain_def_copy(const struct domain_def *d)
{
	/* Formatting covers every field, and parsing our own output cannot
	 * fail, so this is a deep copy that can never drift from the struct. */
	g_autofree char *xml = domain_def_format(d, NULL, DOMAIN_XML_INACTIVE | DOMAIN_XML_SECURE);
	g_autoptr(GError) err = NULL;
	struct domain_def *c = domain_def_parse(xml, 0, &err);
	if (!c)
		g_error("domain_def_copy: re-parsing formatted XML failed: %s", err->message);
	return c;
}

bool domain_def_equal(const struct domain_def *a, const struct domain_def *b)
{
	g_autofree char *xa = domain_def_format(a, NULL, DOMAIN_XML_INACTIVE | DOMAIN_XML_SECURE);
	g_autofree char *xb = domain_def_format(b, NULL, DOMAIN_XML_INACTIVE | DOMAIN_XML_SECURE);
	return strcmp(xa, xb) == 0;
}

char *domain_uuid_format(const unsigned char u[16])
{
	return g_strdup_printf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			       u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7],
			       u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

bool domain_uuid_parse(const char *s, unsigned char out[16])
{
	unsigned char u[16];
	if (!s)
		return false;
	while (g_ascii_isspace(*s))
		s++;
	for (int i = 0; i < 16; i++) {
		/* libvirt accepts a dash before any byte except the first */
		if (i > 0 && *s == '-')
			s++;
		int hi = g_ascii_xdigit_value(s[0]);
		if (hi < 0)
			return false;
		int lo = g_ascii_xdigit_value(s[1]);
		if (lo < 0)
			return false;
		u[i] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	while (g_ascii_isspace(*s))
		s++;
	if (*s)
		return false;
	memcpy(out, u, 16);
	return true;
}

void domain_uuid_generate(unsigned char out[16])
{
	g_autofree char *s = g_uuid_string_random();
	if (!domain_uuid_parse(s, out))
		g_error("g_uuid_string_random returned '%s'", s);
}
