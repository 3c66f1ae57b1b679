/* drv_def_conf: drv_def on top of src/conf (domain_def), the project's
 * libvirt domain XML parser/formatter and XML -> machine_config -> argv
 * translation. Only metadata editing is done here, on the <metadata>
 * element conf keeps verbatim. */
#include "driver/drv_def.h"
#include "driver/drv_error.h"

#include "conf/domain_def.h"
#include "vmm/kvm/kvm.h"
#include "vmm/machine_config.h"

#include <libvirt/libvirt.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>
#include <unistd.h>

struct drv_def {
	struct domain_def *d;
};

static struct drv_def *wrap(struct domain_def *d)
{
	struct drv_def *w = g_new0(struct drv_def, 1);
	w->d = d;
	return w;
}

bool drv_host_has_kvm(void)
{
	return kvm_probe(NULL);  /* the same probe as tandem --accel kvm */
}

struct drv_def *drv_def_parse(const char *xml, unsigned flags, GError **err)
{
	g_autoptr(GError) cerr = NULL;
	unsigned cflags = 0;
	if (flags & DRV_DEF_VALIDATE)
		cflags |= DOMAIN_DEF_PARSE_VALIDATE;
	if ((flags & DRV_DEF_HOST_CAPS) && !drv_host_has_kvm())
		cflags |= DOMAIN_DEF_PARSE_NO_KVM;
	struct domain_def *d = domain_def_parse(xml, cflags, &cerr);
	if (!d) {
		drv_error_adopt(err, cerr);
		return NULL;
	}
	return wrap(d);
}

void drv_def_free(struct drv_def *w)
{
	if (!w)
		return;
	domain_def_free(w->d);
	g_free(w);
}

struct drv_def *drv_def_copy(const struct drv_def *w)
{
	return wrap(domain_def_copy(w->d));
}

bool drv_def_check_supported(const struct drv_def *w, GError **err)
{
	g_autoptr(GError) cerr = NULL;
	if (domain_def_check_supported(w->d, &cerr))
		return true;
	drv_error_adopt(err, cerr);
	return false;
}

char *drv_def_format(const struct drv_def *w, int id, const char *pty, unsigned flags)
{
	struct domain_live live = { .id = id, .serial_pty = pty };
	return domain_def_format(w->d, id >= 0 ? &live : NULL, flags);
}

const char *drv_def_name(const struct drv_def *w) { return w->d->name; }
const unsigned char *drv_def_uuid(const struct drv_def *w) { return w->d->uuid; }
uint64_t drv_def_memory_kib(const struct drv_def *w) { return w->d->memory_kib; }
uint64_t drv_def_current_memory_kib(const struct drv_def *w) { return w->d->current_memory_kib; }
unsigned drv_def_vcpus(const struct drv_def *w) { return w->d->vcpus; }

static enum drv_lifecycle_action action(enum domain_lifecycle_action a)
{
	switch (a) {
	case LIFECYCLE_RESTART: case LIFECYCLE_COREDUMP_RESTART: return DRV_ACTION_RESTART;
	case LIFECYCLE_PRESERVE: return DRV_ACTION_PRESERVE;
	case LIFECYCLE_RENAME_RESTART: return DRV_ACTION_RENAME_RESTART;
	default: return DRV_ACTION_DESTROY;
	}
}

enum drv_lifecycle_action drv_def_on_poweroff(const struct drv_def *w) { return action(w->d->on_poweroff); }
enum drv_lifecycle_action drv_def_on_reboot(const struct drv_def *w) { return action(w->d->on_reboot); }
enum drv_lifecycle_action drv_def_on_crash(const struct drv_def *w) { return action(w->d->on_crash); }

bool drv_def_has_serial_pty(const struct drv_def *w)
{
	return w->d->nserials && w->d->serials[0].type && !strcmp(w->d->serials[0].type, "pty");
}

/* <metadata> as a small document, or NULL */
static xmlDocPtr metadata_doc(const struct domain_def *d)
{
	if (!d->metadata_xml)
		return NULL;
	return xmlReadMemory(d->metadata_xml, (int)strlen(d->metadata_xml), "metadata.xml", NULL,
			     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static xmlNodePtr find_ns_child(xmlNodePtr parent, const char *uri)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->ns && c->ns->href && !strcmp((const char *)c->ns->href, uri))
			return c;
	return NULL;
}

static void no_metadata(GError **err)
{
	g_set_error(err, DRV_ERROR, VIR_ERR_NO_DOMAIN_METADATA,
		    "metadata not found: Requested metadata element is not present");
}

char *drv_def_get_metadata(const struct drv_def *w, int type, const char *uri, GError **err)
{
	const struct domain_def *d = w->d;
	switch (type) {
	case VIR_DOMAIN_METADATA_DESCRIPTION:
		if (!d->description)
			break;
		return g_strdup(d->description);
	case VIR_DOMAIN_METADATA_TITLE:
		if (!d->title)
			break;
		return g_strdup(d->title);
	case VIR_DOMAIN_METADATA_ELEMENT: {
		if (!uri) {
			drv_error(err, VIR_ERR_INVALID_ARG, "uri must not be NULL");
			return NULL;
		}
		xmlDocPtr doc = metadata_doc(d);
		xmlNodePtr n = doc ? find_ns_child(xmlDocGetRootElement(doc), uri) : NULL;
		char *r = NULL;
		if (n) {
			xmlBufferPtr b = xmlBufferCreate();
			xmlNodeDump(b, doc, n, 0, 0);
			r = g_strdup((const char *)xmlBufferContent(b));
			xmlBufferFree(b);
		}
		xmlFreeDoc(doc);
		if (r)
			return r;
		break;
	}
	default:
		drv_error(err, VIR_ERR_INVALID_ARG, "unknown metadata type '%d'", type);
		return NULL;
	}
	no_metadata(err);
	return NULL;
}

bool drv_def_set_metadata(struct drv_def *w, int type, const char *value, const char *key,
			  const char *uri, GError **err)
{
	struct domain_def *d = w->d;
	const char *v = value && *value ? value : NULL;
	switch (type) {
	case VIR_DOMAIN_METADATA_DESCRIPTION:
		g_free(d->description);
		d->description = g_strdup(v);
		return true;
	case VIR_DOMAIN_METADATA_TITLE:
		if (v && strchr(v, '\n')) {
			drv_error(err, VIR_ERR_INVALID_ARG, "title can't contain newlines");
			return false;
		}
		g_free(d->title);
		d->title = g_strdup(v);
		return true;
	case VIR_DOMAIN_METADATA_ELEMENT:
		break;
	default:
		drv_error(err, VIR_ERR_INVALID_ARG, "unknown metadata type '%d'", type);
		return false;
	}
	if (!uri || (v && !key)) {
		drv_error(err, VIR_ERR_INVALID_ARG, "a namespace uri and key are required");
		return false;
	}
	xmlDocPtr doc = metadata_doc(d);
	if (!doc) {
		doc = xmlNewDoc((const xmlChar *)"1.0");
		xmlDocSetRootElement(doc, xmlNewNode(NULL, (const xmlChar *)"metadata"));
	}
	xmlNodePtr root = xmlDocGetRootElement(doc);
	for (xmlNodePtr old; (old = find_ns_child(root, uri));) {
		xmlUnlinkNode(old);
		xmlFreeNode(old);
	}
	if (v) {
		/* parse the value with its namespace bound to key */
		g_autofree char *wrapped = g_strdup_printf("<%s:tandemwrap xmlns:%s='%s'>%s</%s:tandemwrap>",
							   key, key, uri, v, key);
		xmlDocPtr md = xmlReadMemory(wrapped, (int)strlen(wrapped), "value.xml", NULL,
					     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
		xmlNodePtr elem = NULL;
		for (xmlNodePtr c = md ? xmlDocGetRootElement(md)->children : NULL; c; c = c->next)
			if (c->type == XML_ELEMENT_NODE && !elem)
				elem = c;
		if (!elem) {
			xmlFreeDoc(md);
			xmlFreeDoc(doc);
			drv_error(err, VIR_ERR_XML_ERROR, "cannot parse metadata element: %s", v);
			return false;
		}
		xmlNodePtr copy = xmlDocCopyNode(elem, doc, 1);
		xmlNsPtr ns = xmlNewNs(copy, (const xmlChar *)uri, (const xmlChar *)key);
		xmlSetNs(copy, ns);
		xmlAddChild(root, copy);
		xmlReconciliateNs(doc, copy);
		xmlFreeDoc(md);
	}
	g_free(d->metadata_xml);
	d->metadata_xml = NULL;
	if (root->children) {
		xmlBufferPtr b = xmlBufferCreate();
		xmlNodeDump(b, doc, root, 0, 0);
		d->metadata_xml = g_strdup((const char *)xmlBufferContent(b));
		xmlBufferFree(b);
	}
	xmlFreeDoc(doc);
	return true;
}

bool drv_def_resolve_networks(struct drv_def *w, drv_def_bridge_fn *resolve, void *opaque, GError **err)
{
	for (size_t i = 0; i < w->d->nnets; i++) {
		struct domain_net *n = &w->d->nets[i];
		if (strcmp(n->type, "network") != 0)
			continue;
		char *bridge = resolve(n->source, opaque, err);
		if (!bridge)
			return false;
		g_free(n->bridge);
		n->bridge = bridge;
	}
	return true;
}

char **drv_def_build_argv(const struct drv_def *w, const char *tandem, const char *control,
			  const char *pidfile, bool paused, GError **err)
{
	struct machine_config cfg;
	machine_config_init(&cfg);
	g_autoptr(GError) cerr = NULL;
	if (!domain_def_to_config(w->d, &cfg, &cerr)) {
		machine_config_clear(&cfg);
		drv_error_adopt(err, cerr);
		return NULL;
	}
	if (!cfg.kernel) {
		machine_config_clear(&cfg);
		drv_error(err, VIR_ERR_CONFIG_UNSUPPORTED,
			  "domain '%s' has no <os><kernel>: tandem boots Linux kernels directly", w->d->name);
		return NULL;
	}
	/* A kvm domain stored while KVM was usable, started where it is not:
	 * refuse here with the probe's reason rather than let tandem fail. */
	g_autoptr(GError) kerr = NULL;
	if (cfg.accel == ACCEL_KVM && !kvm_probe(&kerr)) {
		machine_config_clear(&cfg);
		drv_error(err, VIR_ERR_CONFIG_UNSUPPORTED, "domain '%s' has type='kvm' but %s (or change it to type='qemu')",
			  w->d->name, kerr->message);
		return NULL;
	}
	cfg.control_socket = g_strdup(control);
	cfg.pidfile = g_strdup(pidfile);
	cfg.start_paused = paused;
	char **argv = machine_config_to_argv(&cfg, tandem);
	machine_config_clear(&cfg);
	return argv;
}
