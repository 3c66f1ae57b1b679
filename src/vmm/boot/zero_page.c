/* Linux boot_params ("zero page") at LAYOUT_ZERO_PAGE.  Built from zeros
 * with only the kernel's setup header copied in, so the sentinel at 0x1EF
 * stays 0 and the kernel trusts every field (boot.rst). */
#include "vmm/boot/boot_priv.h"
#include "vmm/boot/zero_page.h"

#include <string.h>

bool zero_page_build(struct boot_ctx *c, const uint8_t *hdr, size_t hdr_len, GError **err)
{
	uint8_t zp[ZP_SIZE];
	memset(zp, 0, sizeof(zp));
	if (hdr_len > ZP_HDR_MAX_END - ZP_HDR)
		hdr_len = ZP_HDR_MAX_END - ZP_HDR;
	memcpy(zp + ZP_HDR, hdr, hdr_len);

	zp[ZP_TYPE_OF_LOADER] = 0xFF;              /* "undefined" loader */
	zp[ZP_LOADFLAGS] |= ZP_CAN_USE_HEAP;
	st16(zp + ZP_HEAP_END_PTR, BOOT_HEAP_END_PTR);
	st32(zp + ZP_CMD_LINE_PTR, (uint32_t)LAYOUT_CMDLINE);
	st32(zp + ZP_RAMDISK_IMAGE, (uint32_t)c->initrd_addr);
	st32(zp + ZP_RAMDISK_SIZE, (uint32_t)c->initrd_size);
	st32(zp + ZP_EXT_RAMDISK_IMAGE, (uint32_t)(c->initrd_addr >> 32));
	st32(zp + ZP_EXT_RAMDISK_SIZE, (uint32_t)(c->initrd_size >> 32));
	st64(zp + ZP_ACPI_RSDP_ADDR, c->rsdp);

	struct e820_entry e[E820_MAX_ENTRIES];
	unsigned n = e820_build(c->gm, e);
	zp[ZP_E820_ENTRIES] = (uint8_t)n;
	for (unsigned i = 0; i < n; i++) {
		uint8_t *p = zp + ZP_E820_TABLE + i * ZP_E820_ENTRY_SIZE;
		st64(p, e[i].addr);
		st64(p + 8, e[i].size);
		st32(p + 16, e[i].type);
	}
	if (!guest_mem_write(c->gm, LAYOUT_ZERO_PAGE, zp, sizeof(zp))) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_NOSPACE, "guest RAM too small for the zero page");
		return false;
	}
	return true;
}
