/* libxml2 glue: quiet parsing with libvirt-style error messages, cached
 * RelaxNG validation, attribute/child helpers, subtree serialization. */
#include "conf/conf_xml.h"
#include "conf/conf_error.h"

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>
#include <string.h>

static void conf_xml_init(void)
{
	static gsize done;
	if (g_once_init_enter(&done)) {
		xmlInitParser();
		g_once_init_leave(&done, 1);
	}
}

/* Keeps the first error (libvirt reports the first, libxml2's context
 * remembers the last) and stops libxml2 from printing anything. */
static void conf_xml_first_error(void *data, xmlErrorPtr e)
{
	xmlParserCtxt *ctxt = data;
	xmlError *first = ctxt->_private;
	if (first && !first->message && e && e->message) {
		first->message = g_strdup(e->message);
		first->line = e->line;
		first->int2 = e->int2;
	}
}

/* Line number `line` (1-based) of text, g_strndup'ed. */
static char *conf_xml_line(const char *text, int line)
{
	const char *p = text;
	for (int i = 1; i < line && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		return g_strdup("");
	const char *end = strchr(p, '\n');
	return g_strndup(p, end ? (gsize)(end - p) : strlen(p));
}

xmlDoc *conf_xml_read(const char *xml, GError **err)
{
	return conf_xml_read_named(xml, "(domain_definition)", err);
}

xmlDoc *conf_xml_read_named(const char *xml, const char *name, GError **err)
{
	conf_xml_init();
	xmlParserCtxt *ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		conf_error(err, VIR_ERR_INTERNAL_ERROR, "cannot allocate an XML parser");
		return NULL;
	}
	xmlError first = { 0 };
	ctxt->_private = &first;
	ctxt->sax->serror = conf_xml_first_error;
	xmlDoc *doc = xmlCtxtReadMemory(ctxt, xml, (int)strlen(xml), "domain.xml", NULL,
					XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	const xmlError *e = first.message ? &first : xmlCtxtGetLastError(ctxt);
	if (!doc || !xmlDocGetRootElement(doc)) {
		if (e && e->message) {
			/* libvirt's catchXMLError: "(name):LINE: message\ncontext\n---^",
			 * with a "(null)" context when there is no input at all */
			g_autofree char *msg = g_strchomp(g_strdup(e->message));
			g_autofree char *ctx = *xml ? conf_xml_line(xml, e->line) : g_strdup("(null)");
			int col = e->int2 > 0 ? e->int2 : 1;
			if (col > (int)strlen(ctx) + 1)
				col = (int)strlen(ctx) + 1;
			g_autofree char *ptr = g_strnfill(*xml ? (gsize)(col - 1) : 0, '-');
			conf_error(err, VIR_ERR_XML_DETAIL, "%s:%d: %s\n%s\n%s^", name, e->line, msg, ctx, ptr);
		} else
			conf_error(err, VIR_ERR_XML_DETAIL, "%s:1: Document is empty", name);
		if (doc)
			xmlFreeDoc(doc);
		doc = NULL;
	}
	g_free(first.message);
	ctxt->_private = NULL;
	xmlFreeParserCtxt(ctxt);
	return doc;
}

static GMutex schema_lock;
static char *schema_path_loaded;
static xmlRelaxNG *schema;

static void conf_xml_collect(void *data, xmlErrorPtr e)
{
	GString *s = data;
	if (e && e->message) {
		g_autofree char *m = g_strchomp(g_strdup(e->message));
		g_string_append_printf(s, "\n%s", m);
	}
}

bool conf_xml_validate(xmlDoc *doc, const char *path, GError **err)
{
	conf_xml_init();
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&schema_lock);
	if (!schema || g_strcmp0(schema_path_loaded, path) != 0) {
		g_autoptr(GString) perr = g_string_new(NULL);
		xmlRelaxNGParserCtxt *pc = xmlRelaxNGNewParserCtxt(path);
		if (!pc)
			return conf_error(err, VIR_ERR_INTERNAL_ERROR, "Unable to create RNG parser for %s", path);
		xmlRelaxNGSetParserStructuredErrors(pc, conf_xml_collect, perr);
		xmlRelaxNG *s = xmlRelaxNGParse(pc);
		xmlRelaxNGFreeParserCtxt(pc);
		if (!s)
			return conf_error(err, VIR_ERR_INTERNAL_ERROR, "Unable to parse RNG %s:%s", path, perr->str);
		if (schema)
			xmlRelaxNGFree(schema);
		schema = s;
		g_free(schema_path_loaded);
		schema_path_loaded = g_strdup(path);
	}
	g_autoptr(GString) verr = g_string_new(NULL);
	xmlRelaxNGValidCtxt *vc = xmlRelaxNGNewValidCtxt(schema);
	if (!vc)
		return conf_error(err, VIR_ERR_INTERNAL_ERROR, "Unable to create RNG validation context %s", path);
	xmlRelaxNGSetValidStructuredErrors(vc, conf_xml_collect, verr);
	int rc = xmlRelaxNGValidateDoc(vc, doc);
	xmlRelaxNGFreeValidCtxt(vc);
	if (rc != 0)
		return conf_error(err, VIR_ERR_XML_INVALID_SCHEMA, "Unable to validate doc against %s%s",
				  path, verr->str);
	return true;
}

char *conf_xml_prop(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
	if (!v)
		return NULL;
	char *s = g_strdup((const char *)v);
	xmlFree(v);
	return s;
}

char *conf_xml_text(xmlNode *n)
{
	xmlChar *v = xmlNodeGetContent(n);
	char *s = g_strdup(v ? (const char *)v : "");
	xmlFree(v);
	return s;
}

bool conf_xml_is(xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !n->ns && !strcmp((const char *)n->name, name);
}

xmlNode *conf_xml_child(xmlNode *n, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (conf_xml_is(c, name))
			return c;
	return NULL;
}

static void put_qname(GString *s, const xmlNs *ns, const xmlChar *name)
{
	if (ns && ns->prefix)
		g_string_append_printf(s, "%s:", (const char *)ns->prefix);
	g_string_append(s, (const char *)name);
}

/* An attribute value in double quotes, escaped so that it parses back
 * to the same value (newlines and tabs as character references). */
static void put_attr_value(GString *s, const char *v, char quote)
{
	g_string_append_c(s, quote);
	for (; *v; v++) {
		switch (*v) {
		case '&': g_string_append(s, "&amp;"); break;
		case '<': g_string_append(s, "&lt;"); break;
		case '>': g_string_append(s, "&gt;"); break;
		case '"': g_string_append(s, quote == '"' ? "&quot;" : "\""); break;
		case '\'': g_string_append(s, quote == '\'' ? "&apos;" : "'"); break;
		case '\n': g_string_append(s, "&#10;"); break;
		case '\r': g_string_append(s, "&#13;"); break;
		case '\t': g_string_append(s, "&#9;"); break;
		default: g_string_append_c(s, *v);
		}
	}
	g_string_append_c(s, quote);
}

static void put_ns_decl(GString *s, const xmlNs *ns, char quote)
{
	if (ns->prefix)
		g_string_append_printf(s, " xmlns:%s=", (const char *)ns->prefix);
	else
		g_string_append(s, " xmlns=");
	put_attr_value(s, ns->href ? (const char *)ns->href : "", quote);
}

static void put_verbatim(GString *s, xmlNode *n)
{
	xmlBuffer *buf = xmlBufferCreate();
	xmlNodeDump(buf, n->doc, n, 0, 0);
	g_string_append(s, (const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
}

/* Writes element n as libvirt formats kept XML: children of element-only
 * content one per line, indented 2 spaces per level; text and mixed
 * content exactly as they are. The first line is not indented. */
static void emit(GString *s, xmlNode *n, int level, GPtrArray *extra_ns, char quote)
{
	g_string_append_c(s, '<');
	put_qname(s, n->ns, n->name);
	for (guint i = 0; extra_ns && i < extra_ns->len; i++)
		put_ns_decl(s, extra_ns->pdata[i], quote);
	for (xmlNs *d = n->nsDef; d; d = d->next)
		put_ns_decl(s, d, quote);
	for (xmlAttr *a = n->properties; a; a = a->next) {
		g_string_append_c(s, ' ');
		put_qname(s, a->ns, a->name);
		g_string_append_c(s, '=');
		xmlChar *v = xmlNodeGetContent((xmlNode *)a);
		put_attr_value(s, v ? (const char *)v : "", quote);
		xmlFree(v);
	}
	if (!n->children) {
		g_string_append(s, "/>");
		return;
	}
	bool elements = false, text = false;
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE)
			elements = true;
		else if (c->type != XML_COMMENT_NODE && !(c->type == XML_TEXT_NODE && xmlIsBlankNode(c)))
			text = true;
	}
	g_string_append_c(s, '>');
	if (!elements || text) {
		for (xmlNode *c = n->children; c; c = c->next)
			put_verbatim(s, c);
	} else {
		for (xmlNode *c = n->children; c; c = c->next) {
			if (c->type == XML_TEXT_NODE)
				continue;
			g_string_append_printf(s, "\n%*s", 2 * (level + 1), "");
			if (c->type == XML_ELEMENT_NODE)
				emit(s, c, level + 1, NULL, quote);
			else
				put_verbatim(s, c);
		}
		g_string_append_printf(s, "\n%*s", 2 * level, "");
	}
	g_string_append(s, "</");
	put_qname(s, n->ns, n->name);
	g_string_append_c(s, '>');
}

static bool ns_used(xmlNode *n, const xmlNs *ns)
{
	if (n->type != XML_ELEMENT_NODE)
		return false;
	if (n->ns == ns)
		return true;
	for (xmlAttr *a = n->properties; a; a = a->next)
		if (a->ns == ns)
			return true;
	for (xmlNode *c = n->children; c; c = c->next)
		if (ns_used(c, ns))
			return true;
	return false;
}

char *conf_xml_serialize(xmlNode *n, char quote)
{
	/* namespaces declared above n but used inside it go on n */
	g_autoptr(GPtrArray) extra = g_ptr_array_new();
	xmlNs **in_scope = n->parent && n->parent->type == XML_ELEMENT_NODE ? xmlGetNsList(n->doc, n->parent) : NULL;
	for (xmlNs **p = in_scope; p && *p; p++) {
		bool redeclared = false;
		for (xmlNs *d = n->nsDef; d; d = d->next)
			redeclared |= xmlStrEqual(d->prefix, (*p)->prefix);
		if (!redeclared && ns_used(n, *p))
			g_ptr_array_add(extra, *p);
	}
	GString *s = g_string_new(NULL);
	emit(s, n, 0, extra, quote);
	xmlFree(in_scope);
	return g_string_free(s, FALSE);
}

char *conf_xml_reindent(const char *xml, int level, char quote)
{
	return conf_xml_reindent_without(xml, level, quote, NULL);
}

char *conf_xml_reindent_without(const char *xml, int level, char quote, const char *drop_attr)
{
	xmlDoc *doc = xmlReadMemory(xml, (int)strlen(xml), "raw.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root) {
		if (doc)
			xmlFreeDoc(doc);
		return g_strdup(xml);
	}
	if (drop_attr) {
		xmlAttr *a = xmlHasProp(root, (const xmlChar *)drop_attr);
		if (a)
			xmlRemoveProp(a);
	}
	GString *s = g_string_new(NULL);
	emit(s, root, level, NULL, quote);
	xmlFreeDoc(doc);
	return g_string_free(s, FALSE);
}
