/* libFuzzer target: arbitrary bytes as the kernel file, fed to every loader
 * (bzImage in both modes, ELF, multiboot, the payload decompressors and the
 * detecting front end) with a small guest RAM.  The first input byte picks
 * the configuration (initrd, ACPI, long command line, vCPU count).  Built by
 * scripts/fuzz-loaders.sh with clang -fsanitize=fuzzer,address,undefined;
 * with FUZZ_SEED_DIR set it first writes seed images there. */
#include "vmm/boot/boot_priv.h"
#include "../boot/images.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FUZZ_RAM (40 * MiB)
#define FUZZ_MAX_OUT (8 * MiB)

static struct guest_mem gm;
static char initrd_path[64];
static char long_cmdline[400];

static void seed(const char *dir, const char *name, GByteArray *b, uint8_t sel)
{
	g_autofree char *p = g_build_filename(dir, name, NULL);
	g_autoptr(GByteArray) out = g_byte_array_new();
	g_byte_array_append(out, &sel, 1);
	g_byte_array_append(out, b->data, b->len);
	g_file_set_contents(p, (const char *)out->data, out->len, NULL);
	g_byte_array_unref(b);
}

static void write_seeds(const char *dir)
{
	g_mkdir_with_parents(dir, 0755);
	GByteArray *vml = img_elf_simple(true, 0x1000000, 512, 8192);
	static const char *fmts[] = { "gzip", "xz", "lz4", "zstd" };
	for (unsigned i = 0; i < 4; i++) {
		GByteArray *z = img_compress(fmts[i], vml->data, vml->len);
		struct img_bz o = { .pad = 64, .init_size = 4 * MiB };
		char name[32];
		g_snprintf(name, sizeof(name), "bz-%s", fmts[i]);
		seed(dir, name, img_bzimage(&o, z->data, z->len), 0x07);   /* host mode, ACPI, initrd */
		g_snprintf(name, sizeof(name), "bz-guest-%s", fmts[i]);
		seed(dir, name, img_bzimage(&o, z->data, z->len), 0x16);
		g_byte_array_unref(z);
	}
	seed(dir, "elf64", img_elf_simple(true, 0x200000, 256, 4096), 0x04);
	seed(dir, "elf32", img_elf_simple(false, 0x200000, 256, 4096), 0x00);
	seed(dir, "mb-aout", img_multiboot_aout(64, 0x100000, 1024, 0x101000, 0x100100), 0x04);
	seed(dir, "mb-elf", img_multiboot_elf(0x100000, 512), 0x0C);
	g_byte_array_unref(vml);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!guest_mem_init(&gm, FUZZ_RAM, NULL))
		abort();
	g_snprintf(initrd_path, sizeof(initrd_path), "/tmp/tandem-fuzz-initrd-%d", (int)getpid());
	g_autofree uint8_t *ird = g_malloc0(3 * MiB);
	if (!g_file_set_contents(initrd_path, (const char *)ird, 3 * MiB, NULL))
		abort();
	memset(long_cmdline, 'x', sizeof(long_cmdline) - 1);
	const char *dir = getenv("FUZZ_SEED_DIR");
	if (dir)
		write_seeds(dir);
	return 0;
}

static void run(bool (*fn)(struct boot_ctx *, const uint8_t *, size_t, GError **), struct boot_ctx *c,
		const uint8_t *d, size_t n)
{
	GError *err = NULL;
	struct cpu_state bsp;
	c->bsp = &bsp;
	if (!boot_build_tables(c, &err)) {
		g_clear_error(&err);
		return;
	}
	bool ok = fn(c, d, n, &err);
	if (ok == (err != NULL))
		abort();                   /* a result and its error must agree */
	if (err && !*err->message)
		abort();                   /* errors must say something */
	g_clear_error(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	data++;
	size--;
	struct boot_config bc = {
		.kernel = "fuzz-input",
		.initrd = (sel & 4) ? initrd_path : NULL,
		.cmdline = (sel & 8) ? long_cmdline : "console=ttyS0",
		.host_decompress = sel & 1,
		.acpi = sel & 2,
		.ncpus = 1 + (sel >> 4),
	};
	struct boot_ctx c = { .gm = &gm, .bc = &bc, .name = bc.kernel, .max_decompressed = FUZZ_MAX_OUT };
	run(bzimage_load, &c, data, size);
	bc.host_decompress = !bc.host_decompress;
	run(bzimage_load, &c, data, size);
	run(elf_load_kernel, &c, data, size);
	run(multiboot_load, &c, data, size);
	run(boot_load_image, &c, data, size);

	uint8_t *out = NULL;
	size_t olen = 0;
	GError *err = NULL;
	if (payload_decompress(data, size, FUZZ_MAX_OUT, &out, &olen, &err)) {
		if (olen > FUZZ_MAX_OUT)
			abort();
		g_free(out);
	}
	g_clear_error(&err);
	return 0;
}
