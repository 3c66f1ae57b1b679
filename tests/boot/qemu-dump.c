/* qemu-dump: runs boot_load on a guest RAM and writes what it produced as
 * files QEMU can load, for test-qemu-boot.sh: low.bin (RAM below 640 KiB),
 * high.bin (RAM from 1 MiB to the last non-zero byte) and fw.bin, the
 * 128 KiB firmware image QEMU maps at 0xE0000 (tandem's ACPI and MP tables
 * with the qemu-stub.S code at 0xFF000 and a reset vector jumping to it).
 * Usage: qemu-dump OUTDIR STUB.bin KERNEL CMDLINE host|guest NCPUS acpi|noacpi [INITRD] */
#include "vmm/boot/boot_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STUB_OFF 0x1F000          /* 0xFF000 in the image mapped at 0xE0000 */

static bool put(const char *dir, const char *name, const void *p, size_t len)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	GError *err = NULL;
	if (!g_file_set_contents(path, p, (gssize)len, &err)) {
		fprintf(stderr, "qemu-dump: %s\n", err->message);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	if (argc < 8) {
		fprintf(stderr, "usage: qemu-dump OUTDIR STUB KERNEL CMDLINE host|guest NCPUS acpi|noacpi [INITRD]\n");
		return 2;
	}
	struct guest_mem gm;
	GError *err = NULL;
	if (!guest_mem_init(&gm, 256 * MiB, &err)) {
		fprintf(stderr, "qemu-dump: %s\n", err->message);
		return 1;
	}
	struct boot_config bc = {
		.kernel = argv[3], .cmdline = argv[4], .host_decompress = !strcmp(argv[5], "host"),
		.ncpus = (unsigned)atoi(argv[6]), .acpi = !strcmp(argv[7], "acpi"), .initrd = argc > 8 ? argv[8] : NULL,
	};
	struct cpu_state s;
	if (!boot_load(&gm, &bc, &s, &err)) {
		fprintf(stderr, "qemu-dump: %s\n", err->message);
		return 1;
	}
	if (!(s.sregs.efer & 0x400)) {
		fprintf(stderr, "qemu-dump: the stub only starts 64-bit entries\n");
		return 1;
	}
	g_autofree uint8_t *stub = NULL;
	gsize slen = 0;
	if (!g_file_get_contents(argv[2], (char **)&stub, &slen, &err) || slen < 16 || slen > 0xFF0) {
		fprintf(stderr, "qemu-dump: bad stub %s\n", argv[2]);
		return 1;
	}
	uint8_t *fw = g_malloc0(0x20000);
	memcpy(fw, gm.base + LAYOUT_ACPI_START, 0x20000);
	for (size_t i = STUB_OFF; i < 0x20000; i++)
		if (fw[i]) {
			fprintf(stderr, "qemu-dump: tables reach the stub area at 0x%zx\n", 0xE0000 + i);
			return 1;
		}
	memcpy(fw + STUB_OFF, stub, slen);
	st64(fw + STUB_OFF + slen - 16, s.regs.rip);    /* p_rip, p_rsi end the stub */
	st64(fw + STUB_OFF + slen - 8, s.regs.rsi);
	static const uint8_t reset[5] = { 0xEA, 0x00, 0xF0, 0x00, 0xF0 };   /* ljmp F000:F000 */
	memcpy(fw + 0x1FFF0, reset, sizeof(reset));
	uint64_t end = gm.low_end;
	while (end > LAYOUT_BIOS_END && gm.base[end - 1] == 0)
		end--;
	bool ok = put(argv[1], "fw.bin", fw, 0x20000) && put(argv[1], "low.bin", gm.base, LAYOUT_LOW_RAM_END) &&
		  put(argv[1], "high.bin", gm.base + LAYOUT_BIOS_END, end - LAYOUT_BIOS_END);
	g_free(fw);
	guest_mem_destroy(&gm);
	return ok ? 0 : 1;
}
