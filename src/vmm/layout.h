/* Guest physical memory layout of the tandem PC: the whole boot contract's
 * addresses in one place (Firecracker's layout.rs is the model). */
#ifndef TANDEM_LAYOUT_H
#define TANDEM_LAYOUT_H

#include <stdint.h>

#define KiB ((uint64_t)1 << 10)
#define MiB ((uint64_t)1 << 20)
#define GiB ((uint64_t)1 << 30)

/* RAM: [0, min(ram, PCI_HOLE_START)) and, for the rest, [4 GiB, ...). */
#define LAYOUT_PCI_HOLE_START   0xC0000000ULL    /* 3 GiB: 32-bit MMIO hole starts here */
#define LAYOUT_4G               0x100000000ULL

/* Inside the hole. */
#define LAYOUT_PCI_MMIO_START   0xC0000000ULL    /* 32-bit PCI BARs */
#define LAYOUT_PCI_MMIO_END     0xFEBFFFFFULL
#define LAYOUT_IOAPIC_BASE      0xFEC00000ULL
#define LAYOUT_IOAPIC_SIZE      0x1000ULL
#define LAYOUT_LAPIC_BASE       0xFEE00000ULL
#define LAYOUT_LAPIC_SIZE       0x1000ULL
#define LAYOUT_KVM_IDENTITY_MAP 0xFFFBC000ULL    /* KVM_SET_IDENTITY_MAP_ADDR, 1 page */
#define LAYOUT_KVM_TSS          0xFFFBD000ULL    /* KVM_SET_TSS_ADDR, 3 pages */

/* Low memory: boot structures written by the loaders. */
#define LAYOUT_GDT              0x500ULL
#define LAYOUT_IDT              0x520ULL
#define LAYOUT_MB_INFO          0x6000ULL        /* multiboot info + mmap */
#define LAYOUT_ZERO_PAGE        0x7000ULL        /* Linux boot_params */
#define LAYOUT_BOOT_STACK       0x8FF0ULL
#define LAYOUT_PML4             0x9000ULL        /* identity map 0-4 GiB, 2 MiB pages */
#define LAYOUT_PDPT             0xA000ULL
#define LAYOUT_PD               0xB000ULL        /* 4 pages: 0xB000-0xEFFF */
#define LAYOUT_CMDLINE          0x20000ULL
#define LAYOUT_CMDLINE_MAX      0x10000ULL       /* bytes including the NUL */
#define LAYOUT_EBDA_START       0x9FC00ULL       /* MP table lives here */
#define LAYOUT_LOW_RAM_END      0xA0000ULL       /* e820: [0, 0x9FC00) RAM, then reserved */
#define LAYOUT_ACPI_START       0xE0000ULL       /* RSDP and ACPI tables: 0xE0000-0xFFFFF */
#define LAYOUT_BIOS_END         0x100000ULL
#define LAYOUT_KERNEL_START     0x100000ULL      /* bzImage protected-mode payload */

#endif
