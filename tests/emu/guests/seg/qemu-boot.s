; Boot sector for qemu-oracle.sh (not a test guest: .s, so regen.sh skips
; it): copies itself to 0x600, reads the guest image from LBA 1 to 0x7c00
; with INT 13h extensions and jumps to it as if it were the boot sector.
bits 16
org 0x600
  cli
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7000
  mov si, 0x7c00
  mov di, 0x600
  mov cx, 256
  rep movsw
  jmp 0:moved
moved:
  mov [drive], dl
  mov si, dap
  mov ah, 0x42
  mov dl, [drive]
  int 0x13
  jc $
  cli
  xor eax, eax
  xor ebx, ebx
  xor ecx, ecx
  xor edx, edx
  xor esi, esi
  xor edi, edi
  jmp 0:0x7c00
drive: db 0
align 4
dap:
  db 0x10, 0
  dw 64           ; sectors (32 KiB)
  dw 0x7c00, 0
  dq 1
times 510 - ($ - $$) db 0
  dw 0xaa55
