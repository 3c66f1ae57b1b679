; 2-level (32-bit) paging: 4K pages and 4M pages (CR4.PSE), A/D bits, #PF
; error codes and CR2, CR0.WP, U/S from ring 3, reserved bit 21 of a 4M
; PDE, INVLPG of one 4K page and of a whole 4M page, global pages across
; a CR3 reload, CR4.PGE and CR0.PG toggles flushing everything.
%include "common32.inc"

PD equ 0x200000
PT0 equ 0x201000          ; identity map of 0-4M, user
PT1 equ 0x202000          ; 0x40000000-0x403fffff
PT2 equ 0x203000          ; 0x40400000-: PDE is supervisor, PTEs user
P1 equ 0x300000
P2 equ 0x301000
L1 equ 0x800000           ; 4M pages
L2 equ 0xc00000
V equ 0x40000000
%define PTE1(k) (PT1 + 4 * (k))

main:
  mov edi, PD
  xor eax, eax
  mov ecx, 4 * 1024
  rep stosd
  mov edi, PT0
  mov eax, 7
  mov ecx, 1024
.id:
  stosd
  add eax, 0x1000
  loop .id
  mov dword [PD], PT0 | 7
  mov dword [PD + 4 * 256], PT1 | 7
  mov dword [PD + 4 * 257], PT2 | 3
  mov dword [PD + 4 * 512], L1 | 0x83          ; 0x80000000: 4M, supervisor
  mov dword [PTE1(0)], P1 | 3                   ; V+0: supervisor rw
  mov dword [PTE1(1)], P2 | 1                   ; V+1000: supervisor ro
  mov dword [PTE1(2)], P1 | 7                   ; V+2000: user rw
  mov dword [PTE1(4)], P2 | 5                   ; V+4000: user ro
  mov dword [PT2], P1 | 7                       ; V+400000: user PTE under a supervisor PDE
  mov dword [P1], 0x11111111
  mov dword [P2], 0x22222222
  mov dword [L1], 0xa0000000
  mov dword [L1 + 0x201000], 0xa0201000
  mov dword [L1 + 0x3ff000], 0xa03ff000
  mov dword [L2], 0xc0000000
  mov dword [L2 + 0x201000], 0xc0201000
  mov dword [L2 + 0x3ff000], 0xc03ff000
  mov eax, PD
  mov cr3, eax
  mov eax, cr4
  or eax, 0x90                ; PSE PGE
  mov cr4, eax
  mov eax, cr0
  or eax, 0x80000000          ; PG, WP still 0
  mov cr0, eax

  ; a read sets A in the PDE and the PTE, not D
  EXPECT([V], 0x11111111)
  EXPECT([PD + 4 * 256], PT1 | 0x27)
  EXPECT([PTE1(0)], P1 | 0x23)
  ; a write sets D in the PTE only
  mov dword [V + 4], 1
  EXPECT([PD + 4 * 256], PT1 | 0x27)
  EXPECT([PTE1(0)], P1 | 0x63)

  ; not present: CR2 is the address, P=0
  FAULTS({mov eax, [V + 0x3008]}, 14, V + 0x3008, 0)
  FAULTS({mov dword [V + 0x3ffc], 0}, 14, V + 0x3ffc, 2)
  EXPECT([PTE1(3)], 0)

  ; CR0.WP=0: ring 0 writes a read-only page (and sets D)
  mov dword [V + 0x1010], 0x33
  EXPECT([P2 + 0x10], 0x33)
  EXPECT([PTE1(1)], P2 | 0x61)
  ; CR0.WP=1: the same write faults (the TLB must not keep the permission)
  mov eax, cr0
  or eax, 0x10000
  mov cr0, eax
  FAULTS({mov dword [V + 0x1010], 0x44}, 14, V + 0x1010, 3)
  EXPECT([P2 + 0x10], 0x33)
  mov eax, cr0
  and eax, ~0x10000
  mov cr0, eax

  ; ring 0 may read and write user pages (no SMEP/SMAP)
  EXPECT([V + 0x2000], 0x11111111)
  mov dword [V + 0x2008], 8

  ; 4M page: A and D in the PDE; PSE-36 reserved bit 21
  EXPECT([0x80000000], 0xa0000000)
  EXPECT([0x80201000], 0xa0201000)
  EXPECT([PD + 4 * 512], L1 | 0xa3)
  mov dword [0x80000010], 5
  EXPECT([PD + 4 * 512], L1 | 0xe3)
  mov dword [PD + 4 * 513], L1 | 0x200083
  ; (QEMU 7.2 leaves P clear in the error code of reserved-bit faults)
  FAULTSQ({mov eax, [0x80400010]}, 14, 0x80400010, 9, 8)
  FAULTSQ({mov dword [0x80400010], 1}, 14, 0x80400010, 11, 10)
  ; without CR4.PSE, PS is ignored: the 4M PDE is a page-table pointer
  ; (L1 holds 0xa0000000 at entry 0: not present)
  mov eax, cr4
  and eax, ~0x10
  mov cr4, eax
  FAULTS({mov eax, [0x80000000]}, 14, 0x80000000, 0)
  mov eax, cr4
  or eax, 0x10
  mov cr4, eax

  ; remap a 4M page: without INVLPG both cached pieces stay; INVLPG of a
  ; third address in the page drops all of it
  EXPECT([0x80000000], 0xa0000000)
  EXPECT([0x80201000], 0xa0201000)
  mov dword [PD + 4 * 512], L2 | 0x83
  EXPECT([0x80000000], 0xa0000000)
  EXPECT([0x80201000], 0xa0201000)
  invlpg [0x803ff000]
  EXPECT([0x80000000], 0xc0000000)
  EXPECT([0x80201000], 0xc0201000)
  EXPECT([0x803ff000], 0xc03ff000)

  ; remap two 4K pages, INVLPG only one: exactly that one changes
  mov dword [PTE1(5)], P1 | 3
  mov dword [PTE1(6)], P2 | 3
  EXPECT([V + 0x5000], 0x11111111)
  EXPECT([V + 0x6000], 0x22222222)
  mov dword [PTE1(5)], P2 | 3
  mov dword [PTE1(6)], P1 | 3
  EXPECT([V + 0x5000], 0x11111111)
  invlpg [V + 0x5000]
  EXPECT([V + 0x5000], 0x22222222)
  EXPECT([V + 0x6000], 0x22222222)
  invlpg [V + 0x6fff]
  EXPECT([V + 0x6000], 0x11111111)

  ; global pages survive a CR3 reload, non-global ones do not
  mov dword [PTE1(7)], P1 | 0x103
  mov dword [PTE1(8)], P1 | 3
  EXPECT([V + 0x7000], 0x11111111)
  EXPECT([V + 0x8000], 0x11111111)
  mov dword [PTE1(7)], P2 | 0x103
  mov dword [PTE1(8)], P2 | 3
  mov eax, cr3
  mov cr3, eax
  ; (QEMU 7.2 flushes global entries on a CR3 write too)
  EXPECTQ([V + 0x7000], 0x11111111, 0x22222222)
  EXPECT([V + 0x8000], 0x22222222)
  ; INVLPG drops a global page
  invlpg [V + 0x7000]
  EXPECT([V + 0x7000], 0x22222222)
  ; toggling CR4.PGE drops global pages
  mov dword [PTE1(7)], P1 | 0x103
  mov eax, cr3
  mov cr3, eax
  EXPECTQ([V + 0x7000], 0x22222222, 0x11111111)
  mov eax, cr4
  and eax, ~0x80
  mov cr4, eax
  or eax, 0x80
  mov cr4, eax
  EXPECT([V + 0x7000], 0x11111111)
  ; with CR4.PGE=0 the G bit means nothing
  mov eax, cr4
  and eax, ~0x80
  mov cr4, eax
  mov dword [PTE1(7)], P2 | 0x103
  mov eax, cr3
  mov cr3, eax
  EXPECT([V + 0x7000], 0x22222222)
  mov eax, cr4
  or eax, 0x80
  mov cr4, eax
  ; a global 4M page (G in the PDE) survives a CR3 reload too; INVLPG of
  ; any address in it drops it
  mov dword [PD + 4 * 768], L1 | 0x183
  EXPECT([0xc0000000], 0xa0000000)
  mov dword [PD + 4 * 768], L2 | 0x183
  mov eax, cr3
  mov cr3, eax
  EXPECTQ([0xc0000000], 0xa0000000, 0xc0000000)
  invlpg [0xc0201000]
  EXPECT([0xc0000000], 0xc0000000)
  ; turning paging off and on drops global pages
  mov dword [PTE1(9)], P1 | 0x103
  EXPECT([V + 0x9000], 0x11111111)
  mov dword [PTE1(9)], P2 | 0x103
  mov eax, cr0
  and eax, ~0x80000000
  mov cr0, eax
  or eax, 0x80000000
  mov cr0, eax
  EXPECT([V + 0x9000], 0x22222222)

  ; ring 3
  mov eax, user
  call to_user
  EXPECT([ures], 0x11111111)
  EXPECT([ures + 4], 0x22222222)
  EXPECT([P1 + 0x2c], 0x77)
  jmp pass

user:
  FAULTS({mov eax, [V + 0x10]}, 14, V + 0x10, 5)             ; supervisor page
  FAULTS({mov dword [V + 0x10], 1}, 14, V + 0x10, 7)
  FAULTS({mov dword [V + 0x4010], 1}, 14, V + 0x4010, 7)    ; user read-only page
  FAULTS({mov eax, [V + 0x3000]}, 14, V + 0x3000, 4)        ; not present
  FAULTS({mov dword [V + 0x3000], 1}, 14, V + 0x3000, 6)
  FAULTS({mov eax, [V + 0x400000]}, 14, V + 0x400000, 5)    ; supervisor PDE, user PTE
  FAULTS({call V + 0x1000}, 14, V + 0x1000, 5)              ; fetch: no I/D bit without NX
  mov eax, [V + 0x2000]
  mov [ures], eax
  mov eax, [V + 0x4000]
  mov [ures + 4], eax
  mov dword [V + 0x202c], 0x77
  int 0x80

align 4
ures: dd 0, 0
