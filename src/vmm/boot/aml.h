/* A tiny AML byte builder (ACPI 6 §20): enough for the static DSDT.
 * Nested objects (Scope, Device, Package, Buffer, Method) are written by
 * aml_open...(), their contents, then aml_close(), which inserts the
 * PkgLength in front of the contents. */
#ifndef TANDEM_BOOT_AML_H
#define TANDEM_BOOT_AML_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#define AML_NAME     0x08
#define AML_SCOPE    0x10
#define AML_BUFFER   0x11
#define AML_PACKAGE  0x12
#define AML_METHOD   0x14
#define AML_EXT      0x5B
#define AML_DEVICE   0x82   /* after AML_EXT */

void aml_byte(GByteArray *b, uint8_t v);
void aml_bytes(GByteArray *b, const void *p, size_t n);
void aml_int(GByteArray *b, uint64_t v);            /* shortest integer encoding */
void aml_string(GByteArray *b, const char *s);
void aml_namestring(GByteArray *b, const char *path); /* "\\_SB_.PCI0", "_HID", "^FOO" */
void aml_eisaid(GByteArray *b, const char *id);      /* "PNP0A03" as a DWord */
void aml_name(GByteArray *b, const char *name);      /* NameOp NameString; the value follows */

size_t aml_open(GByteArray *b, uint8_t op);          /* op PkgLength ...; returns the PkgLength position */
size_t aml_open_device(GByteArray *b, const char *name);
size_t aml_open_scope(GByteArray *b, const char *name);
size_t aml_open_package(GByteArray *b, uint8_t nelems);
void aml_close(GByteArray *b, size_t pos);
void aml_buffer(GByteArray *b, const uint8_t *data, size_t n);

/* Encoded PkgLength for a body of len bytes (the encoding counts itself);
 * returns the number of bytes written to out[4]. */
unsigned aml_pkglen(size_t len, uint8_t out[4]);

#endif
