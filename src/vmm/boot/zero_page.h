/* Offsets in Linux's boot_params (the zero page) and its setup header,
 * as in the kernel's asm/bootparam.h and Documentation/x86/boot.rst. */
#ifndef TANDEM_BOOT_ZERO_PAGE_H
#define TANDEM_BOOT_ZERO_PAGE_H

#define ZP_SIZE               4096
#define ZP_ACPI_RSDP_ADDR     0x070
#define ZP_EXT_RAMDISK_IMAGE  0x0C0
#define ZP_EXT_RAMDISK_SIZE   0x0C4
#define ZP_EXT_CMD_LINE_PTR   0x0C8
#define ZP_E820_ENTRIES       0x1E8
#define ZP_SENTINEL           0x1EF
#define ZP_E820_TABLE         0x2D0
#define ZP_E820_ENTRY_SIZE    20

/* setup_header, at the same offsets in the bzImage file and in boot_params */
#define ZP_HDR                0x1F1
#define ZP_HDR_MAX_END        0x290   /* hdr plus _pad7 in boot_params; edd_mbr_sig_buffer follows */
#define ZP_SETUP_SECTS        0x1F1
#define ZP_SYSSIZE            0x1F4
#define ZP_BOOT_FLAG          0x1FE   /* 0xAA55 */
#define ZP_JUMP               0x200   /* 0xEB, then the header length - 2 */
#define ZP_HEADER             0x202   /* "HdrS" */
#define ZP_VERSION            0x206
#define ZP_TYPE_OF_LOADER     0x210
#define ZP_LOADFLAGS          0x211
#define ZP_CODE32_START       0x214
#define ZP_RAMDISK_IMAGE      0x218
#define ZP_RAMDISK_SIZE       0x21C
#define ZP_HEAP_END_PTR       0x224
#define ZP_CMD_LINE_PTR       0x228
#define ZP_INITRD_ADDR_MAX    0x22C
#define ZP_KERNEL_ALIGNMENT   0x230
#define ZP_RELOCATABLE        0x234
#define ZP_XLOADFLAGS         0x236
#define ZP_CMDLINE_SIZE       0x238
#define ZP_PAYLOAD_OFFSET     0x248
#define ZP_PAYLOAD_LENGTH     0x24C
#define ZP_SETUP_DATA         0x250
#define ZP_PREF_ADDRESS       0x258
#define ZP_INIT_SIZE          0x260

#define ZP_HDRS_MAGIC         0x53726448u   /* "HdrS" */
#define ZP_LOADED_HIGH        0x01
#define ZP_CAN_USE_HEAP       0x80
#define ZP_XLF_KERNEL_64      0x01

#endif
