/* Internal to the domain XML parser: shared between domain_parse.c (the
 * domain element) and domain_parse_dev.c (<devices>). */
#ifndef TANDEM_DOMAIN_PARSE_PRIV_H
#define TANDEM_DOMAIN_PARSE_PRIV_H

#include "conf/domain_def.h"

#include <libxml/tree.h>

/* Parses a non-negative decimal integer (blanks around it allowed). */
bool domain_parse_ull(const char *s, unsigned long long *v);
/* Parses an optional unsigned attribute; absent leaves *v alone.
 * Bad value: VIR_ERR_XML_ERROR naming attribute and element. */
bool domain_parse_uint_prop(xmlNode *n, const char *attr, unsigned *v, GError **err);
/* Whether s is one of the NULL-terminated names. */
bool domain_parse_in(const char *s, const char *const *names);
/* VIR_ERR_XML_ERROR "Invalid value for attribute 'attr' in element 'elem': 'v'". */
bool domain_parse_bad_attr(GError **err, const char *attr, const char *elem, const char *v);

/* Fills d's device arrays, d->emulator and d->memballoon_model from
 * <devices> (devices may be NULL), then applies libvirt's serial/console
 * pairing and implicit devices. */
bool domain_parse_devices(struct domain_def *d, xmlNode *devices, GError **err);
/* libvirt's device post-parse (disk buses from names, ...) and validation
 * steps, run after the whole document is parsed. */
bool domain_parse_devices_post(struct domain_def *d, GError **err);
bool domain_parse_devices_validate(const struct domain_def *d, GError **err);
/* Whether any device has a <boot order>. */
bool domain_parse_has_device_boot(const struct domain_def *d);

void domain_raw_set(struct domain_raw *r, xmlNode *n);
struct domain_raw *domain_raw_new(xmlNode *n);

#endif
