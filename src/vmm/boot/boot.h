/* Boot loaders: put a kernel (bzImage, ELF64/ELF32, multiboot v1), its
 * initrd and command line, the e820 map and the firmware tables (MP table
 * always, ACPI on request) into guest RAM, and produce the BSP's initial
 * CPU state.  The kind of kernel is detected from the file's content.
 * Errors name the file, the field and the numbers involved; the loaders
 * never read past the file nor write outside guest RAM. */
#ifndef TANDEM_BOOT_H
#define TANDEM_BOOT_H

#include "vmm/cpu_state.h"
#include "vmm/guest_mem.h"

#include <glib.h>
#include <stdbool.h>

struct boot_config {
	const char *kernel;        /* bzImage, ELF64/ELF32 (vmlinux or freestanding test guest), or multiboot v1 */
	const char *initrd;        /* may be NULL */
	const char *cmdline;       /* may be NULL */
	bool host_decompress;      /* bzImage: decompress payload on the host and enter the vmlinux ELF directly */
	unsigned ncpus;
	bool acpi;                 /* build ACPI tables (RSDP/XSDT/FADT/FACS/MADT/DSDT); the MP table is always built */
};

/* Loads everything into guest RAM (the kind of kernel is detected from its content) and fills *bsp with
 * the BSP's initial state. Errors are clear and specific; never reads past the file or writes past RAM. */
bool boot_load(struct guest_mem *gm, const struct boot_config *bc, struct cpu_state *bsp, GError **err);

#endif
