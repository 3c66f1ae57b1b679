/* Addresses and limits the boot loaders add to vmm/layout.h. */
#ifndef TANDEM_BOOT_LAYOUT_H
#define TANDEM_BOOT_LAYOUT_H

#include "vmm/layout.h"

#define BOOT_ACPI_END          0xF0000ULL     /* ACPI tables: [LAYOUT_ACPI_START, here) */
#define BOOT_MP_CONFIG         0xF0000ULL     /* MP config table when it does not fit in the EBDA */
#define BOOT_MP_CONFIG_END     0x100000ULL
#define BOOT_MB_MODS           (LAYOUT_MB_INFO + 0x100)   /* multiboot module list */
#define BOOT_MB_MMAP           (LAYOUT_MB_INFO + 0x200)   /* multiboot memory map */
#define BOOT_MB_STRINGS        (LAYOUT_MB_INFO + 0x400)   /* loader name, module string */
#define BOOT_HEAP_END_PTR      0xFE00         /* setup heap end, relative to the setup segment */

#define BOOT_KERNEL_FILE_MAX   (1024 * MiB)   /* refuse larger kernel files */
#define BOOT_DECOMPRESS_MAX    (512 * MiB)    /* refuse larger decompressed payloads */
#define BOOT_MAX_CPUS          254            /* 8-bit APIC ids; 255 is broadcast, IOAPIC id = ncpus */

#endif
