/* drv_def_builtin: a small domain-XML reader used until src/conf provides
 * the full parser. It keeps the document as given (libxml2), reads the
 * fields the driver needs with XPath, and writes them back normalised. */
#include "driver/drv_def.h"
#include "driver/drv_error.h"

#include <libvirt/libvirt.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <string.h>

#define DOMAIN_RNG "/usr/share/libvirt/schemas/domain.rng"

struct drv_def {
	xmlDocPtr doc;
	char *name;
	unsigned char uuid[16];
	char *virt;
	uint64_t memory_kib, current_kib;
	unsigned vcpus;
	char *kernel, *initrd, *cmdline;
	enum drv_lifecycle_action on_poweroff, on_reboot, on_crash;
	bool serial_pty;
};

void drv_def_free(struct drv_def *d)
{
	if (!d)
		return;
	xmlFreeDoc(d->doc);
	g_free(d->name);
	g_free(d->virt);
	g_free(d->kernel);
	g_free(d->initrd);
	g_free(d->cmdline);
	g_free(d);
}

static char *xp_string(xmlXPathContextPtr ctx, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
	char *r = NULL;
	if (o && o->type == XPATH_NODESET && o->nodesetval && o->nodesetval->nodeNr > 0) {
		xmlChar *v = xmlNodeGetContent(o->nodesetval->nodeTab[0]);
		if (v)
			r = g_strstrip(g_strdup((const char *)v));
		xmlFree(v);
	}
	xmlXPathFreeObject(o);
	return r;
}

static bool parse_uuid(const char *s, unsigned char out[16])
{
	int n = 0;
	for (const char *p = s; *p && n < 32; p++) {
		if (*p == '-' || *p == ' ')
			continue;
		int v = g_ascii_xdigit_value(*p);
		if (v < 0)
			return false;
		if (n % 2 == 0)
			out[n / 2] = (unsigned char)(v << 4);
		else
			out[n / 2] |= (unsigned char)v;
		n++;
		if (n == 32) {
			for (p++; *p; p++)
				if (*p != ' ' && *p != '-')
					return false;
			return true;
		}
	}
	return false;
}

static void uuid_format(const unsigned char u[16], char out[37])
{
	g_snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		   u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
		   u[12], u[13], u[14], u[15]);
}

static bool parse_memory(xmlXPathContextPtr ctx, const char *elem, uint64_t *kib, GError **err)
{
	g_autofree char *val = NULL;
	g_autofree char *e1 = g_strdup_printf("/domain/%s", elem);
	g_autofree char *e2 = g_strdup_printf("/domain/%s/@unit", elem);
	val = xp_string(ctx, e1);
	if (!val || !*val) {
		*kib = 0;
		return true;
	}
	g_autofree char *unit = xp_string(ctx, e2);
	char *end;
	guint64 v = g_ascii_strtoull(val, &end, 10);
	if (*end || end == val) {
		drv_error(err, VIR_ERR_XML_ERROR, "Invalid value '%s' for element or attribute '%s'", val, e1 + 8);
		return false;
	}
	static const struct { const char *u; uint64_t mul; } units[] = {
		{ "b", 1 }, { "bytes", 1 }, { "k", 1024 }, { "kib", 1024 }, { "kb", 1000 },
		{ "m", 1 << 20 }, { "mib", 1 << 20 }, { "mb", 1000000 },
		{ "g", 1 << 30 }, { "gib", 1 << 30 }, { "gb", 1000000000 },
		{ "t", 1ULL << 40 }, { "tib", 1ULL << 40 }, { "tb", 1000000000000ULL },
	};
	uint64_t mul = 1024;
	if (unit) {
		bool found = false;
		for (size_t i = 0; i < G_N_ELEMENTS(units); i++)
			if (!g_ascii_strcasecmp(unit, units[i].u)) {
				mul = units[i].mul;
				found = true;
			}
		if (!found) {
			drv_error(err, VIR_ERR_INVALID_ARG, "unknown suffix '%s'", unit);
			return false;
		}
	}
	if (v > UINT64_MAX / mul) {
		g_set_error(err, DRV_ERROR, VIR_ERR_OVERFLOW, "size value too large");
		return false;
	}
	*kib = (v * mul + 1023) / 1024;
	return true;
}

static enum drv_lifecycle_action parse_action(xmlXPathContextPtr ctx, const char *elem,
					      enum drv_lifecycle_action dflt)
{
	g_autofree char *v = xp_string(ctx, elem);
	if (!v)
		return dflt;
	if (!strcmp(v, "destroy"))
		return DRV_ACTION_DESTROY;
	if (!strcmp(v, "restart"))
		return DRV_ACTION_RESTART;
	if (!strcmp(v, "preserve"))
		return DRV_ACTION_PRESERVE;
	return DRV_ACTION_RENAME_RESTART;
}

static void collect_errors(void *ctx, const char *msg, ...)
{
	GString *s = ctx;
	va_list ap;
	va_start(ap, msg);
	g_string_append_vprintf(s, msg, ap);
	va_end(ap);
}

static bool validate_schema(xmlDocPtr doc, GError **err)
{
	static GMutex lock;
	static xmlRelaxNGPtr schema;
	g_mutex_lock(&lock);
	if (!schema) {
		xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewParserCtxt(DOMAIN_RNG);
		schema = pc ? xmlRelaxNGParse(pc) : NULL;
		xmlRelaxNGFreeParserCtxt(pc);
	}
	if (!schema) {
		g_mutex_unlock(&lock);
		drv_error(err, VIR_ERR_XML_INVALID_SCHEMA, "cannot load %s", DOMAIN_RNG);
		return false;
	}
	GString *msgs = g_string_new(NULL);
	xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(schema);
	xmlRelaxNGSetValidErrors(vc, collect_errors, collect_errors, msgs);
	int rc = xmlRelaxNGValidateDoc(vc, doc);
	xmlRelaxNGFreeValidCtxt(vc);
	g_mutex_unlock(&lock);
	if (rc != 0) {
		drv_error(err, VIR_ERR_XML_INVALID_SCHEMA,
			  "Unable to validate doc against %s\n%s", DOMAIN_RNG, g_strchomp(msgs->str));
		g_string_free(msgs, TRUE);
		return false;
	}
	g_string_free(msgs, TRUE);
	return true;
}

static void quiet_xml_errors(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static bool fill(struct drv_def *d, GError **err)
{
	xmlNodePtr root = xmlDocGetRootElement(d->doc);
	if (!root || strcmp((const char *)root->name, "domain")) {
		drv_error(err, VIR_ERR_XML_ERROR, "expecting root element of 'domain', not '%s'",
			  root ? (const char *)root->name : "");
		return false;
	}
	xmlXPathContextPtr ctx = xmlXPathNewContext(d->doc);
	bool ok = false;
	xmlChar *type = xmlGetProp(root, (const xmlChar *)"type");
	d->virt = g_strdup(type ? (const char *)type : "");
	xmlFree(type);
	g_autofree char *uuid = NULL;
	g_autofree char *vcpu = NULL;
	g_autofree char *ostype = NULL;
	g_autofree char *st = NULL;
	g_autofree char *ct = NULL;
	d->name = xp_string(ctx, "/domain/name");
	if (!d->name || !*d->name) {
		g_set_error(err, DRV_ERROR, VIR_ERR_NO_NAME, "missing name information");
		goto out;
	}
	if (strchr(d->name, '\n') || strchr(d->name, '/')) {
		drv_error(err, VIR_ERR_XML_ERROR, "name %s cannot contain '/' or a newline", d->name);
		goto out;
	}
	uuid = xp_string(ctx, "/domain/uuid");
	if (uuid) {
		if (!parse_uuid(uuid, d->uuid)) {
			drv_error(err, VIR_ERR_INTERNAL_ERROR, "malformed uuid element");
			goto out;
		}
	} else {
		for (int i = 0; i < 16; i++)
			d->uuid[i] = (unsigned char)g_random_int_range(0, 256);
		d->uuid[6] = (unsigned char)((d->uuid[6] & 0x0f) | 0x40);
		d->uuid[8] = (unsigned char)((d->uuid[8] & 0x3f) | 0x80);
	}
	if (!parse_memory(ctx, "memory", &d->memory_kib, err) ||
	    !parse_memory(ctx, "currentMemory", &d->current_kib, err))
		goto out;
	if (!d->memory_kib) {
		drv_error(err, VIR_ERR_XML_ERROR,
			  "Memory size must be specified via <memory> or in the <numa> configuration");
		goto out;
	}
	if (!d->current_kib || d->current_kib > d->memory_kib)
		d->current_kib = d->memory_kib;
	vcpu = xp_string(ctx, "/domain/vcpu");
	d->vcpus = 1;
	if (vcpu) {
		char *end;
		guint64 v = g_ascii_strtoull(vcpu, &end, 10);
		if (*end || v == 0 || v > 4096) {
			drv_error(err, VIR_ERR_XML_ERROR, "maximum vcpus count must be an integer");
			goto out;
		}
		d->vcpus = (unsigned)v;
	}
	ostype = xp_string(ctx, "/domain/os/type");
	if (!ostype) {
		drv_error(err, VIR_ERR_XML_ERROR, "an os <type> must be specified");
		goto out;
	}
	d->kernel = xp_string(ctx, "/domain/os/kernel");
	d->initrd = xp_string(ctx, "/domain/os/initrd");
	d->cmdline = xp_string(ctx, "/domain/os/cmdline");
	d->on_poweroff = parse_action(ctx, "/domain/on_poweroff", DRV_ACTION_DESTROY);
	d->on_reboot = parse_action(ctx, "/domain/on_reboot", DRV_ACTION_RESTART);
	d->on_crash = parse_action(ctx, "/domain/on_crash", DRV_ACTION_DESTROY);
	st = xp_string(ctx, "/domain/devices/serial/@type");
	ct = xp_string(ctx, "/domain/devices/console/@type");
	d->serial_pty = (st && !strcmp(st, "pty")) || (ct && !strcmp(ct, "pty"));
	ok = true;
out:
	xmlXPathFreeContext(ctx);
	return ok;
}

struct drv_def *drv_def_parse(const char *xml, bool validate, GError **err)
{
	xmlSetGenericErrorFunc(NULL, quiet_xml_errors);
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *e = xmlGetLastError();
		g_set_error(err, DRV_ERROR, VIR_ERR_XML_DETAIL, "(domain_definition):%d: %s",
			    e ? e->line : 0, e && e->message ? g_strchomp(g_strdup(e->message)) : "malformed XML");
		return NULL;
	}
	if (validate && !validate_schema(doc, err)) {
		xmlFreeDoc(doc);
		return NULL;
	}
	struct drv_def *d = g_new0(struct drv_def, 1);
	d->doc = doc;
	if (!fill(d, err)) {
		drv_def_free(d);
		return NULL;
	}
	return d;
}

struct drv_def *drv_def_copy(const struct drv_def *src)
{
	struct drv_def *d = g_new0(struct drv_def, 1);
	*d = *src;
	d->doc = xmlCopyDoc(src->doc, 1);
	d->name = g_strdup(src->name);
	d->virt = g_strdup(src->virt);
	d->kernel = g_strdup(src->kernel);
	d->initrd = g_strdup(src->initrd);
	d->cmdline = g_strdup(src->cmdline);
	return d;
}

bool drv_def_check_supported(const struct drv_def *d, GError **err)
{
	if (strcmp(d->virt, "qemu") && strcmp(d->virt, "kvm")) {
		drv_error(err, VIR_ERR_INVALID_ARG,
			  "could not find capabilities for domaintype=%s arch=x86_64", d->virt);
		return false;
	}
	static const char *const unsupported[] = { "graphics", "video", "sound", "hostdev",
						   "filesystem", "smartcard", "redirdev", "tpm",
						   "shmem", "iommu", NULL };
	xmlXPathContextPtr ctx = xmlXPathNewContext(d->doc);
	bool ok = true;
	for (int i = 0; unsupported[i] && ok; i++) {
		g_autofree char *e = g_strdup_printf("/domain/devices/%s", unsupported[i]);
		xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)e, ctx);
		if (o && o->nodesetval && o->nodesetval->nodeNr > 0) {
			drv_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "tandem does not support '%s' devices",
				  unsupported[i]);
			ok = false;
		}
		xmlXPathFreeObject(o);
	}
	xmlXPathFreeContext(ctx);
	return ok;
}

static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr n = parent->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name))
			return n;
	return NULL;
}

static xmlNodePtr ensure_child(xmlNodePtr parent, const char *name, xmlNodePtr after)
{
	xmlNodePtr n = child(parent, name);
	if (n)
		return n;
	n = xmlNewNode(NULL, (const xmlChar *)name);
	if (after)
		xmlAddNextSibling(after, n);
	else
		xmlAddChild(parent, n);
	return n;
}

static void set_text(xmlNodePtr n, const char *text)
{
	xmlNodeSetContent(n, NULL);
	xmlNodeAddContent(n, (const xmlChar *)text);
}

char *drv_def_format(const struct drv_def *d, int id, const char *pty, unsigned flags)
{
	xmlDocPtr doc = xmlCopyDoc(d->doc, 1);
	xmlNodePtr root = xmlDocGetRootElement(doc);
	bool live = id >= 0 && !(flags & VIR_DOMAIN_XML_INACTIVE);
	if (live) {
		g_autofree char *ids = g_strdup_printf("%d", id);
		xmlSetProp(root, (const xmlChar *)"id", (const xmlChar *)ids);
	} else {
		xmlUnsetProp(root, (const xmlChar *)"id");
	}
	xmlNodePtr name = child(root, "name");
	char us[37];
	uuid_format(d->uuid, us);
	xmlNodePtr uuid = ensure_child(root, "uuid", name);
	set_text(uuid, us);
	char buf[32];
	xmlNodePtr mem = ensure_child(root, "memory", uuid);
	g_snprintf(buf, sizeof(buf), "%" G_GUINT64_FORMAT, d->memory_kib);
	set_text(mem, buf);
	xmlSetProp(mem, (const xmlChar *)"unit", (const xmlChar *)"KiB");
	xmlNodePtr cur = ensure_child(root, "currentMemory", mem);
	g_snprintf(buf, sizeof(buf), "%" G_GUINT64_FORMAT, d->current_kib);
	set_text(cur, buf);
	xmlSetProp(cur, (const xmlChar *)"unit", (const xmlChar *)"KiB");
	xmlNodePtr vcpu = ensure_child(root, "vcpu", cur);
	g_snprintf(buf, sizeof(buf), "%u", d->vcpus);
	set_text(vcpu, buf);
	xmlNodePtr devices = child(root, "devices");
	if (devices) {
		for (xmlNodePtr n = devices->children; n; n = n->next) {
			if (n->type != XML_ELEMENT_NODE)
				continue;
			bool is_serial = !strcmp((const char *)n->name, "serial");
			bool is_console = !strcmp((const char *)n->name, "console");
			if (!is_serial && !is_console)
				continue;
			xmlNodePtr src = child(n, "source");
			xmlNodePtr alias = child(n, "alias");
			if (live && pty) {
				if (!src) {
					src = xmlNewNode(NULL, (const xmlChar *)"source");
					xmlNodePtr first = n->children;
					if (first)
						xmlAddPrevSibling(first, src);
					else
						xmlAddChild(n, src);
				}
				xmlSetProp(src, (const xmlChar *)"path", (const xmlChar *)pty);
				if (is_console)
					xmlSetProp(n, (const xmlChar *)"tty", (const xmlChar *)pty);
				if (!alias) {
					alias = xmlNewChild(n, NULL, (const xmlChar *)"alias", NULL);
					xmlSetProp(alias, (const xmlChar *)"name", (const xmlChar *)"serial0");
				}
			} else {
				if (src && xmlHasProp(src, (const xmlChar *)"path") && !src->children) {
					xmlUnlinkNode(src);
					xmlFreeNode(src);
				}
				xmlUnsetProp(n, (const xmlChar *)"tty");
				if (alias) {
					xmlUnlinkNode(alias);
					xmlFreeNode(alias);
				}
			}
		}
	}
	xmlChar *out = NULL;
	int len = 0;
	xmlDocDumpFormatMemoryEnc(doc, &out, &len, "UTF-8", 0);
	xmlFreeDoc(doc);
	/* drop the <?xml ...?> declaration, as libvirt does */
	const char *s = (const char *)out;
	if (g_str_has_prefix(s, "<?xml")) {
		s = strchr(s, '\n');
		s = s ? s + 1 : (const char *)out;
	}
	char *r = g_strdup(s);
	xmlFree(out);
	return r;
}

const char *drv_def_name(const struct drv_def *d) { return d->name; }
const unsigned char *drv_def_uuid(const struct drv_def *d) { return d->uuid; }
uint64_t drv_def_memory_kib(const struct drv_def *d) { return d->memory_kib; }
uint64_t drv_def_current_memory_kib(const struct drv_def *d) { return d->current_kib; }
unsigned drv_def_vcpus(const struct drv_def *d) { return d->vcpus; }
enum drv_lifecycle_action drv_def_on_poweroff(const struct drv_def *d) { return d->on_poweroff; }
enum drv_lifecycle_action drv_def_on_reboot(const struct drv_def *d) { return d->on_reboot; }
enum drv_lifecycle_action drv_def_on_crash(const struct drv_def *d) { return d->on_crash; }
bool drv_def_has_serial_pty(const struct drv_def *d) { return d->serial_pty; }

static const char *const meta_elem[] = { "description", "title", "metadata" };

char *drv_def_get_metadata(const struct drv_def *d, int type, const char *uri, GError **err)
{
	xmlNodePtr root = xmlDocGetRootElement(d->doc);
	if (type < 0 || type > 2) {
		drv_error(err, VIR_ERR_INVALID_ARG, "unknown metadata type '%d'", type);
		return NULL;
	}
	xmlNodePtr n = child(root, meta_elem[type]);
	if (n && type == VIR_DOMAIN_METADATA_ELEMENT) {
		for (xmlNodePtr c = n->children; c; c = c->next) {
			if (c->type != XML_ELEMENT_NODE || !c->ns || !uri ||
			    strcmp((const char *)c->ns->href, uri))
				continue;
			xmlBufferPtr b = xmlBufferCreate();
			xmlNodeDump(b, d->doc, c, 0, 0);
			char *r = g_strdup((const char *)xmlBufferContent(b));
			xmlBufferFree(b);
			return r;
		}
		n = NULL;
	}
	if (!n) {
		g_set_error(err, DRV_ERROR, VIR_ERR_NO_DOMAIN_METADATA,
			    "metadata not found: Requested metadata element is not present");
		return NULL;
	}
	xmlChar *v = xmlNodeGetContent(n);
	char *r = g_strdup((const char *)v);
	xmlFree(v);
	return r;
}

bool drv_def_set_metadata(struct drv_def *d, int type, const char *value, const char *key,
			  const char *uri, GError **err)
{
	xmlNodePtr root = xmlDocGetRootElement(d->doc);
	if (type < 0 || type > 2) {
		drv_error(err, VIR_ERR_INVALID_ARG, "unknown metadata type '%d'", type);
		return false;
	}
	xmlNodePtr n = child(root, meta_elem[type]);
	if (type != VIR_DOMAIN_METADATA_ELEMENT) {
		if (!value || !*value) {
			if (n) {
				xmlUnlinkNode(n);
				xmlFreeNode(n);
			}
			return true;
		}
		if (!n)
			n = xmlAddNextSibling(child(root, "uuid") ? child(root, "uuid") : child(root, "name"),
					      xmlNewNode(NULL, (const xmlChar *)meta_elem[type]));
		set_text(n, value);
		return true;
	}
	if (!uri) {
		drv_error(err, VIR_ERR_INVALID_ARG, "missing namespace uri");
		return false;
	}
	if (n) {
		for (xmlNodePtr c = n->children, next; c; c = next) {
			next = c->next;
			if (c->type == XML_ELEMENT_NODE && c->ns && !strcmp((const char *)c->ns->href, uri)) {
				xmlUnlinkNode(c);
				xmlFreeNode(c);
			}
		}
	}
	if (!value || !*value)
		return true;
	if (!key) {
		drv_error(err, VIR_ERR_INVALID_ARG, "missing key");
		return false;
	}
	g_autofree char *wrapped = g_strdup_printf("<%s:w xmlns:%s='%s'>%s</%s:w>", key, key, uri, value, key);
	xmlDocPtr md = xmlReadMemory(wrapped, (int)strlen(wrapped), "metadata.xml", NULL,
				     XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NONET);
	xmlNodePtr mroot = md ? xmlDocGetRootElement(md) : NULL;
	xmlNodePtr elem = NULL;
	for (xmlNodePtr c = mroot ? mroot->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			elem = c;
	if (!elem) {
		xmlFreeDoc(md);
		drv_error(err, VIR_ERR_XML_ERROR, "cannot parse metadata element");
		return false;
	}
	if (!n)
		n = xmlNewChild(root, NULL, (const xmlChar *)"metadata", NULL);
	xmlNodePtr copy = xmlDocCopyNode(elem, d->doc, 1);
	xmlNsPtr ns = xmlNewNs(copy, (const xmlChar *)uri, (const xmlChar *)key);
	xmlSetNs(copy, ns);
	xmlAddChild(n, copy);
	xmlReconciliateNs(d->doc, copy);
	xmlFreeDoc(md);
	return true;
}

char **drv_def_build_argv(const struct drv_def *d, const char *tandem, const char *control,
			  const char *pidfile, bool paused, GError **err)
{
	if (!d->kernel) {
		drv_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
			  "domain '%s' has no <os><kernel>: tandem boots Linux kernels directly", d->name);
		return NULL;
	}
	GPtrArray *a = g_ptr_array_new();
	g_ptr_array_add(a, g_strdup(tandem));
	g_ptr_array_add(a, g_strdup("run"));
	g_ptr_array_add(a, g_strdup_printf("--name=%s", d->name));
	g_ptr_array_add(a, g_strdup_printf("--kernel=%s", d->kernel));
	if (d->initrd)
		g_ptr_array_add(a, g_strdup_printf("--initrd=%s", d->initrd));
	if (d->cmdline)
		g_ptr_array_add(a, g_strdup_printf("--append=%s", d->cmdline));
	g_ptr_array_add(a, g_strdup_printf("--memory=%" G_GUINT64_FORMAT "M", (d->memory_kib + 1023) / 1024));
	g_ptr_array_add(a, g_strdup_printf("--cpus=%u", d->vcpus));
	g_ptr_array_add(a, g_strdup_printf("--accel=%s", !strcmp(d->virt, "kvm") ? "kvm" : "emu"));
	g_ptr_array_add(a, g_strdup(d->serial_pty ? "--serial=pty" : "--serial=none"));
	if (d->on_reboot != DRV_ACTION_RESTART)
		g_ptr_array_add(a, g_strdup("--no-reboot"));
	g_ptr_array_add(a, g_strdup_printf("--control=%s", control));
	g_ptr_array_add(a, g_strdup_printf("--pidfile=%s", pidfile));
	if (paused)
		g_ptr_array_add(a, g_strdup("--paused"));
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}
