; Cross-CPU code rewriting (tests/emu/test-emu-smc.c). smc_paths.asm is at
; 0x100000 (f5 at 0x100800: mov eax, 5; ret). CPU 1 runs one instruction
; at +0 (its TLB learns a write tag for f5's page), CPU 0 then runs +0x40
; (executes f5: the page becomes a code page), then CPU 1 goes on at +1: it
; rewrites f5 and must see the new code: r13 = 77.
bits 64
org 0x200000
F5 equ 0x100800
  mov dword [abs 0x100f00], 1
  call F5
  mov dword [abs F5 + 1], 77
  call F5
  mov r13d, eax
  hlt
  times 0x40 - ($ - $$) db 0xcc
  call F5
  hlt
