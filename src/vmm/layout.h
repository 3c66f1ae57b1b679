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

/* Port I/O map (legacy PC). */
#define PORT_PIC_MASTER   0x20   /* 2 ports */
#define PORT_PIT          0x40   /* 4 ports */
#define PORT_KBD_DATA     0x60
#define PORT_SYS_CTRL_B   0x61   /* PIT gate 2 / speaker / OUT2 */
#define PORT_KBD_CMD      0x64
#define PORT_RTC          0x70   /* 2 ports */
#define PORT_POST         0x80
#define PORT_PIC_SLAVE    0xA0   /* 2 ports */
#define PORT_DEBUG_EXIT   0xF4   /* isa-debug-exit: status (value << 1) | 1 */
#define PORT_COM1         0x3F8  /* 8 ports, IRQ 4 */
#define PORT_ELCR         0x4D0  /* 2 ports */
#define PORT_ACPI_PM      0x600  /* PM1a_EVT (4) at +0, PM1a_CNT (2) at +4, PM_TMR (4) at +8 */
#define PORT_ACPI_PM_LEN  0x10
#define PORT_PCI_CONFIG   0xCF8  /* 0xCF8 address, 0xCFC-0xCFF data */
#define PORT_RESET        0xCF9
#define PORT_PCI_IO_START 0xC000 /* PCI I/O BARs */

#define IRQ_PIT   0
#define IRQ_KBD   1
#define IRQ_COM1  4
#define IRQ_RTC   8
#define IRQ_SCI   9              /* ACPI SCI: level, active high (MADT override) */
#define IRQ_MOUSE 12
/* ACPI sleep type written to PM1a_CNT.SLP_TYP for S5 (soft off); the DSDT's _S5_ says the same. */
#define ACPI_S5_SLP_TYP 0

#endif
