/* Helpers shared by the boot loader tests: a guest with RAM, loading byte
 * buffers through the internal loader entry, synthetic kernel images, and
 * a small walker for the firmware tables the loaders build. */
#ifndef TANDEM_TESTS_BOOT_TEST_H
#define TANDEM_TESTS_BOOT_TEST_H

#include "vmm/boot/boot_priv.h"
#include "vmm/boot/zero_page.h"

#include <glib/gstdio.h>
#include <string.h>

struct bt {
	struct guest_mem gm;
	struct boot_config bc;
	struct cpu_state bsp;
	struct boot_ctx c;
	char *tmpdir;
};

static inline void bt_init(struct bt *t, uint64_t ram)
{
	memset(t, 0, sizeof(*t));
	g_assert_true(guest_mem_init(&t->gm, ram, NULL));
	t->bc.ncpus = 1;
	t->bc.kernel = "test-kernel";
	t->tmpdir = g_dir_make_tmp("tandem-boot-XXXXXX", NULL);
	g_assert_nonnull(t->tmpdir);
}

static inline void bt_fini(struct bt *t)
{
	GDir *d = g_dir_open(t->tmpdir, 0, NULL);
	const char *n;
	while (d && (n = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(t->tmpdir, n, NULL);
		g_unlink(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(t->tmpdir);
	g_free(t->tmpdir);
	guest_mem_destroy(&t->gm);
}

/* Writes data to a file in the test's directory; returns its path (owned by caller). */
static inline char *bt_file(struct bt *t, const char *name, const void *data, size_t len)
{
	char *p = g_build_filename(t->tmpdir, name, NULL);
	g_assert_true(g_file_set_contents(p, data, (gssize)len, NULL));
	return p;
}

static inline bool bt_load(struct bt *t, const void *img, size_t len, GError **err)
{
	t->c = (struct boot_ctx){ .gm = &t->gm, .bc = &t->bc, .bsp = &t->bsp, .name = t->bc.kernel,
				  .max_decompressed = BOOT_DECOMPRESS_MAX };
	return boot_load_image(&t->c, img, len, err);
}

/* Loads and expects failure with a message containing want. */
static inline void bt_expect_error(struct bt *t, const void *img, size_t len, const char *want)
{
	GError *err = NULL;
	bool ok = bt_load(t, img, len, &err);
	if (ok)
		g_error("load succeeded, expected an error containing \"%s\"", want);
	g_assert_nonnull(err);
	if (!strstr(err->message, want))
		g_error("error \"%s\" does not contain \"%s\"", err->message, want);
	g_error_free(err);
}

static inline const uint8_t *bt_ptr(struct bt *t, uint64_t gpa, uint64_t len)
{
	const uint8_t *p = guest_mem_ptr(&t->gm, gpa, len);
	g_assert_nonnull(p);
	return p;
}

static inline uint8_t bt_sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;
	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

/* The real Debian kernels, or NULL (the test then skips). */
static inline char *bt_guest_file(const char *name)
{
	char *p = g_build_filename(g_get_home_dir(), ".cache", "tandem", "guest", name, NULL);
	if (!g_file_test(p, G_FILE_TEST_IS_REGULAR)) {
		g_free(p);
		return NULL;
	}
	return p;
}

#endif
