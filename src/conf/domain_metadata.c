/* virDomainGetMetadata/SetMetadata on a domain_def: <title>,
 * <description>, and the per-namespace elements of <metadata>, with
 * libvirt's semantics (one element per namespace URI, set under the
 * caller's prefix; empty value removes; absent -> NO_DOMAIN_METADATA). */
#include "conf/conf_error.h"
#include "conf/conf_xml.h"
#include "conf/domain_def.h"

#include <libvirt/libvirt-domain.h>
#include <libxml/parser.h>
#include <string.h>

static void *not_found(GError **err)
{
	g_set_error(err, CONF_ERROR, VIR_ERR_NO_DOMAIN_METADATA,
		    "metadata not found: Requested metadata element is not present");
	return NULL;
}

static xmlNode *find_ns_child(xmlNode *metadata, const char *uri)
{
	for (xmlNode *c = metadata ? metadata->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->ns && c->ns->href && !strcmp((const char *)c->ns->href, uri))
			return c;
	return NULL;
}

/* Drops namespace ns from the subtree of n (references, then n's
 * declaration of it), as libvirt hands metadata elements out. */
static void strip_refs(xmlNode *n, const xmlNs *ns)
{
	if (n->type != XML_ELEMENT_NODE)
		return;
	if (n->ns == ns)
		n->ns = NULL;
	for (xmlAttr *a = n->properties; a; a = a->next)
		if (a->ns == ns)
			a->ns = NULL;
	for (xmlNode *c = n->children; c; c = c->next)
		strip_refs(c, ns);
}

static void strip_ns(xmlNode *n, xmlNs *ns)
{
	strip_refs(n, ns);
	for (xmlNs **p = &n->nsDef; *p; p = &(*p)->next)
		if (*p == ns) {
			*p = ns->next;
			ns->next = NULL;
			xmlFreeNs(ns);
			break;
		}
}

char *domain_def_get_metadata(const struct domain_def *d, int type, const char *uri, GError **err)
{
	switch (type) {
	case VIR_DOMAIN_METADATA_DESCRIPTION:
		if (!d->description)
			return not_found(err);
		return g_strdup(d->description);
	case VIR_DOMAIN_METADATA_TITLE:
		if (!d->title)
			return not_found(err);
		return g_strdup(d->title);
	case VIR_DOMAIN_METADATA_ELEMENT:
		break;
	default:
		conf_error(err, VIR_ERR_INVALID_ARG, "unknown metadata type '%d'", type);
		return NULL;
	}
	if (!uri) {
		g_set_error(err, CONF_ERROR, VIR_ERR_INVALID_ARG, "uri in virDomainGetMetadata must not be NULL");
		return NULL;
	}
	if (!d->metadata_xml)
		return not_found(err);
	xmlDoc *doc = conf_xml_read(d->metadata_xml, err);
	if (!doc)
		return NULL;
	xmlNode *n = find_ns_child(xmlDocGetRootElement(doc), uri);
	char *r = NULL;
	if (n) {
		/* libvirt hands the element out without its namespace */
		strip_ns(n, n->ns);
		r = conf_xml_serialize(n, '"');
	}
	xmlFreeDoc(doc);
	if (!r)
		not_found(err);
	return r;
}

/* Puts every element of the subtree without a namespace into ns. */
static void set_ns_deep(xmlNode *n, xmlNs *ns)
{
	if (n->type != XML_ELEMENT_NODE)
		return;
	if (!n->ns)
		xmlSetNs(n, ns);
	for (xmlNode *c = n->children; c; c = c->next)
		set_ns_deep(c, ns);
}

static bool set_element(struct domain_def *d, const char *value, const char *key, const char *uri, GError **err)
{
	bool add = value && *value;
	if (add && !key) {
		g_set_error(err, CONF_ERROR, VIR_ERR_INVALID_ARG, "key in virDomainSetMetadata must not be NULL");
		return false;
	}
	if (!uri) {
		g_set_error(err, CONF_ERROR, VIR_ERR_INVALID_ARG, "uri in virDomainSetMetadata must not be NULL");
		return false;
	}
	if (add && xmlValidateNCName((const xmlChar *)key, 0) != 0)
		return conf_error(err, VIR_ERR_INTERNAL_ERROR, "failed to validate prefix for a new XML namespace");
	xmlDoc *val = NULL;
	if (add && !(val = conf_xml_read_named(value, "(metadata_xml)", err)))
		return false;
	xmlDoc *doc = d->metadata_xml ? conf_xml_read(d->metadata_xml, err) : NULL;
	if (d->metadata_xml && !doc) {
		xmlFreeDoc(val);
		return false;
	}
	if (!doc) {
		doc = xmlNewDoc((const xmlChar *)"1.0");
		xmlDocSetRootElement(doc, xmlNewNode(NULL, (const xmlChar *)"metadata"));
	}
	xmlNode *root = xmlDocGetRootElement(doc);
	xmlNode *old;
	while ((old = find_ns_child(root, uri))) {
		xmlUnlinkNode(old);
		xmlFreeNode(old);
	}
	if (add) {
		xmlNode *copy = xmlDocCopyNode(xmlDocGetRootElement(val), doc, 1);
		xmlNs *ns = xmlNewNs(copy, (const xmlChar *)uri, (const xmlChar *)key);
		xmlSetNs(copy, ns);
		set_ns_deep(copy, ns);
		xmlAddChild(root, copy);
	}
	bool empty = true;
	for (xmlNode *c = root->children; c; c = c->next)
		empty &= c->type != XML_ELEMENT_NODE;
	g_free(d->metadata_xml);
	d->metadata_xml = empty ? NULL : conf_xml_serialize(root, '"');
	xmlFreeDoc(doc);
	xmlFreeDoc(val);
	return true;
}

bool domain_def_set_metadata(struct domain_def *d, int type, const char *value, const char *key,
			     const char *uri, GError **err)
{
	char **field;
	switch (type) {
	case VIR_DOMAIN_METADATA_DESCRIPTION:
		field = &d->description;
		break;
	case VIR_DOMAIN_METADATA_TITLE:
		if (value && strchr(value, '\n')) {
			g_set_error(err, CONF_ERROR, VIR_ERR_INVALID_ARG, "metadata title can't contain newlines");
			return false;
		}
		field = &d->title;
		break;
	case VIR_DOMAIN_METADATA_ELEMENT:
		return set_element(d, value, key, uri, err);
	default:
		return conf_error(err, VIR_ERR_INVALID_ARG, "unknown metadata type '%d'", type);
	}
	g_free(*field);
	*field = value && *value ? g_strdup(value) : NULL;
	return true;
}
