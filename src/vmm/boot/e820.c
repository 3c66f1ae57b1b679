/* The machine's e820 memory map, shared by the zero page and multiboot:
 * base RAM up to the EBDA, the EBDA (MP table) and the firmware-table area
 * reserved, RAM from 1 MiB to the PCI hole, RAM above 4 GiB. */
#include "vmm/boot/boot_priv.h"

unsigned e820_build(const struct guest_mem *gm, struct e820_entry *out)
{
	unsigned n = 0;
	out[n++] = (struct e820_entry){ 0, LAYOUT_EBDA_START, E820_RAM };
	out[n++] = (struct e820_entry){ LAYOUT_EBDA_START, LAYOUT_LOW_RAM_END - LAYOUT_EBDA_START, E820_RESERVED };
	out[n++] = (struct e820_entry){ LAYOUT_ACPI_START, LAYOUT_BIOS_END - LAYOUT_ACPI_START, E820_RESERVED };
	if (gm->low_end > LAYOUT_BIOS_END)
		out[n++] = (struct e820_entry){ LAYOUT_BIOS_END, gm->low_end - LAYOUT_BIOS_END, E820_RAM };
	if (gm->high_end > LAYOUT_4G)
		out[n++] = (struct e820_entry){ LAYOUT_4G, gm->high_end - LAYOUT_4G, E820_RAM };
	return n;
}
