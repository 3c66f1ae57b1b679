/* libxml2 helpers shared by the domain XML parser, formatter and schema
 * check (internal to src/conf). libxml2 never prints: its errors become
 * GErrors (CONF_ERROR, VIR_ERR_XML_DETAIL) in libvirt's format. */
#ifndef TANDEM_CONF_XML_H
#define TANDEM_CONF_XML_H

#include <glib.h>
#include <stdbool.h>
#include <libxml/tree.h>

/* Parses a document (no network access, no entity expansion); what is
 * "(domain_definition)" in libvirt's messages. */
xmlDoc *conf_xml_read(const char *xml, GError **err);
/* The same, naming the document `name` in messages, e.g. "(metadata_xml)". */
xmlDoc *conf_xml_read_named(const char *xml, const char *name, GError **err);

/* Validates doc against the RelaxNG schema at path (loaded once per
 * process and path). VIR_ERR_XML_INVALID_SCHEMA listing the errors. */
bool conf_xml_validate(xmlDoc *doc, const char *schema_path, GError **err);

/* The attribute name of n (no namespace), g_strdup'ed, or NULL. */
char *conf_xml_prop(xmlNode *n, const char *name);
/* The text content of n, g_strdup'ed (never NULL for non-NULL n). */
char *conf_xml_text(xmlNode *n);
/* The first element child of n called name (no namespace), or NULL. */
xmlNode *conf_xml_child(xmlNode *n, const char *name);
/* Whether n is an element in no namespace called name. */
bool conf_xml_is(xmlNode *n, const char *name);

/* n serialized on its own: namespaces declared above it but used inside
 * are declared on it; element-only content one child per line, indented
 * 2 spaces per level; text and mixed content kept exactly. Attribute
 * values are quoted with `quote` (' as libvirt writes, " as libxml2). */
char *conf_xml_serialize(xmlNode *n, char quote);
/* A conf_xml_serialize() result re-indented for nesting level `level`
 * (its first line carries no indentation: the caller's). Mixed content
 * is left as it is, as libxml2 does. */
char *conf_xml_reindent(const char *xml, int level, char quote);
/* The same without the top element's attribute drop_attr (if not NULL). */
char *conf_xml_reindent_without(const char *xml, int level, char quote, const char *drop_attr);

#endif
