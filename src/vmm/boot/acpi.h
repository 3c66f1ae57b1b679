/* ACPI table layout constants shared by the builder and its tests. */
#ifndef TANDEM_BOOT_ACPI_H
#define TANDEM_BOOT_ACPI_H

#include <glib.h>

#define ACPI_OEM_ID        "TANDEM"
#define ACPI_OEM_TABLE_ID  "TANDEMPC"
#define ACPI_HDR_SIZE      36
#define ACPI_RSDP_SIZE     36
#define ACPI_FADT_SIZE     276          /* revision 6 */
#define ACPI_FACS_SIZE     64

/* FADT field offsets */
#define FADT_FIRMWARE_CTRL 36
#define FADT_DSDT          40
#define FADT_SCI_INT       46
#define FADT_SMI_CMD       48
#define FADT_PM1A_EVT_BLK  56
#define FADT_PM1A_CNT_BLK  64
#define FADT_PM_TMR_BLK    76
#define FADT_PM1_EVT_LEN   88
#define FADT_PM1_CNT_LEN   89
#define FADT_PM_TMR_LEN    91
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS         112
#define FADT_RESET_REG     116
#define FADT_RESET_VALUE   128
#define FADT_MINOR_VERSION 131
#define FADT_X_FIRMWARE_CTRL 132
#define FADT_X_DSDT        140
#define FADT_X_PM1A_EVT_BLK 148
#define FADT_X_PM1A_CNT_BLK 172
#define FADT_X_PM_TMR_BLK  208
#define FADT_HYPERVISOR_ID 268

#define FADT_F_WBINVD       (1u << 0)
#define FADT_F_PROC_C1      (1u << 2)
#define FADT_F_PWR_BUTTON   (1u << 4)
#define FADT_F_SLP_BUTTON   (1u << 5)
#define FADT_F_TMR_VAL_EXT  (1u << 8)
#define FADT_F_RESET_REG_SUP (1u << 10)
#define FADT_F_HW_REDUCED   (1u << 20)
#define FADT_BOOT_LEGACY_DEVICES 0x1
#define FADT_BOOT_8042           0x2

/* MADT */
#define MADT_LAPIC          0
#define MADT_IOAPIC         1
#define MADT_ISO            2
#define MADT_LAPIC_NMI      4
#define MADT_PCAT_COMPAT    1

GByteArray *dsdt_build_aml(unsigned ncpus);

#endif
