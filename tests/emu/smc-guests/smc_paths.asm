; Code rewritten through every path the decoded-block cache must notice
; (tests/emu/test-emu-smc.c runs it and checks the registers). Every target
; function is called once before it is rewritten, so its block is cached.
bits 64
org 0x100000
ALIAS equ 0x40000000            ; the test maps linear ALIAS + x to physical x
start:
  cld
  ; 1. REP MOVSB copies a new body over f1: r8 = 1 + 11
  call f1
  mov r8d, eax
  lea rsi, [rel f1_new]
  lea rdi, [rel f1]
  mov ecx, f1_new_end - f1_new
  rep movsb
  call f1
  add r8d, eax
  ; 2. REP STOSB fills f2's immediate: r9 = 2, r10 = 0x22222222
  call f2
  mov r9d, eax
  lea rdi, [rel f2 + 1]
  mov al, 0x22
  mov ecx, 4
  rep stosb
  call f2
  mov r10d, eax
  ; 3. a store through another linear alias of f3's page: r11 = 3 + 33
  call f3
  mov r11d, eax
  mov rdi, f3 + 1 + ALIAS
  mov dword [rdi], 33
  call f3
  add r11d, eax
  ; 4. the store rewrites the next instruction of the same block: r12 = 44
  mov byte [rel next + 1], 44
next:
  mov eax, 4
  mov r12d, eax
  ; 5. a "device" writes f5's immediate during OUT (test's PIO hook): r13 = 5 + 55
  call f5
  mov r13d, eax
  out 0x80, al
  call f5
  add r13d, eax
  ; 7. code and a counter on one page, rewritten 1000 times: rbx = 500500, rbp = 1000
  xor ebx, ebx
  xor ebp, ebp
  mov ecx, 1000
.l7:
  inc dword [rel f7 + 1]
  inc dword [rel counter]
  call f7
  add ebx, eax
  mov ebp, [rel counter]
  dec ecx
  jnz .l7
  jmp entry6

f1:
  mov eax, 1
  ret
  times 16 nop
f1_new:
  mov eax, 11
  ret
f1_new_end:
f2:
  mov eax, 2
  ret
f3:
  mov eax, 3
  ret
f7:
  mov eax, 0
  ret
counter:
  dd 0
  times 0x800 - ($ - $$) db 0xcc
f5:                             ; at start + 0x800 (the test's PIO hook knows)
  mov eax, 5
  ret
  times 0x810 - ($ - $$) db 0xcc
f6:                             ; at start + 0x810
  mov eax, 6
  ret
  times 0x820 - ($ - $$) db 0xcc
  ; 6. the host rewrites f6 between two runs (the test restarts here, at
  ; start + 0x820): r14 = 6, then 66
entry6:
  call f6
  mov r14d, eax
  hlt
