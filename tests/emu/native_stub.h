/* Test helper: builds a tiny function around one instruction's bytes in an
 * executable page, so a test can run exactly the encoding the emulator sees. */
#ifndef TANDEM_TEST_NATIVE_STUB_H
#define TANDEM_TEST_NATIVE_STUB_H

#include <glib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

typedef void (*native_fn)(void *ctx);

struct native_page {
	uint8_t *base;
	size_t used;
};

static inline native_fn native_build(struct native_page *pg, const uint8_t *pre, size_t npre,
				     const uint8_t *insn, size_t ninsn, const uint8_t *post, size_t npost)
{
	if (!pg->base) {
		pg->base = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE | PROT_EXEC,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		g_assert(pg->base != MAP_FAILED);
	}
	g_assert(pg->used + npre + ninsn + npost + 16 < (1 << 20));
	uint8_t *p = pg->base + pg->used;
	memcpy(p, pre, npre);
	memcpy(p + npre, insn, ninsn);
	memcpy(p + npre + ninsn, post, npost);
	pg->used += (npre + ninsn + npost + 15) & ~(size_t)15;
	return (native_fn)(void *)p;
}

#endif
