/* MP specification 1.4 constants, shared by the MP table builder and its tests. */
#ifndef TANDEM_BOOT_MPTABLE_H
#define TANDEM_BOOT_MPTABLE_H

#define MP_CONFIG_HDR   44
#define MP_PROC_SIZE    20
#define MP_PROCESSOR    0
#define MP_BUS          1
#define MP_IOAPIC       2
#define MP_INTSRC       3
#define MP_LINTSRC      4
#define MP_CPU_ENABLED  1
#define MP_CPU_BSP      2
#define MP_BUS_PCI      0
#define MP_BUS_ISA      1
#define MP_INT          0
#define MP_NMI          1
#define MP_EXTINT       3
#define MP_IRQ_LEVEL_HIGH 0x0D   /* polarity 01 (high), trigger 11 (level) */
#define MP_IRQ_LEVEL_LOW  0x0F   /* polarity 11 (low), trigger 11 (level) */

/* IOAPIC pin of PCI slot/pin (pin 0 = INTA): 16 + (slot + pin) % 4. */
unsigned mptable_pci_gsi(unsigned slot, unsigned pin0);

#endif
