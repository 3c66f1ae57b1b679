; Segment limits in real mode (not a common.inc guest: it stays in real
; mode): 64 KiB limits on data (#GP) and stack (#SS) accesses, 32-bit
; addresses beyond 0xffff, and "unreal" mode (a 4 GiB limit cached from
; protected mode survives real-mode segment loads). Same summary at RES as
; the common.inc guests.
bits 16
org 0x7c00
RES     equ 0x1000
FAULT   equ 0x0f00        ; +0 vector +2 ip +4 resume
NOFAULT equ 0xffff

%macro TEST 1
  %push test
  %assign %$id %1
  mov word [FAULT + 4], %$resume
  mov word [FAULT], NOFAULT
%endmacro
%macro EXPECT 2           ; vector, ip
%$resume:
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7000
  mov ax, %1
  mov bx, %2
  mov cx, %$id
  call check
  %pop
%endmacro

start:
  cli
  mov al, 0xff
  out 0x21, al
  out 0xa1, al
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7000
  mov di, RES
  mov cx, 0x200
  rep stosw
  mov word [12 * 4], rec12
  mov word [12 * 4 + 2], 0
  mov word [13 * 4], rec13
  mov word [13 * 4 + 2], 0

  TEST 1
  mov al, [0xffff]
  EXPECT NOFAULT, 0
  TEST 2
t2: mov ax, [0xffff]
  EXPECT 13, t2
  TEST 3
  mov bp, 0xffff
t3: mov ax, [bp]
  EXPECT 12, t3
  TEST 4
  mov esi, 0x10000
t4: mov ax, [esi]
  EXPECT 13, t4
  TEST 5
  mov esi, 0xfffe
  mov ax, [esi]
  EXPECT NOFAULT, 0
  ; unreal mode: FS gets a 4 GiB limit in protected mode and keeps it
  lgdt [gdtr]
  mov eax, cr0
  or al, 1
  mov cr0, eax
  mov bx, 0x08
  mov fs, bx
  and al, 0xfe
  mov cr0, eax
  TEST 6
  xor ax, ax
  mov fs, ax
  mov esi, 0x100000
  mov dword [fs:esi], 0x600df00d
  mov eax, [fs:esi]
  mov [0x2000], eax
  EXPECT NOFAULT, 0
  mov eax, [0x2000]
  mov bx, NOFAULT
  cmp eax, 0x600df00d
  je .ok
  mov bx, 1
.ok:
  mov ax, bx
  mov bx, 0
  mov cx, 7
  call check
  ; the other registers kept their 64 KiB limit
  TEST 8
  mov esi, 0x100000
t8: mov eax, [es:esi]
  EXPECT 13, t8

  mov dword [RES], 'DONE'
  mov eax, [RES + 4]
  mov al, 0
  out 0xf4, al
  hlt

; check: ax = expected vector, bx = expected ip, cx = test id
check:
  inc dword [RES + 12]
  cmp ax, [FAULT]
  jne .fail
  cmp ax, NOFAULT
  je .pass
  cmp bx, [FAULT + 2]
  jne .fail
.pass:
  inc dword [RES + 4]
  ret
.fail:
  mov di, [RES + 8]
  inc dword [RES + 8]
  shl di, 4
  mov [RES + 16 + di], cx
  mov dx, [FAULT]
  mov [RES + 20 + di], dx
  mov dx, [FAULT + 2]
  mov [RES + 28 + di], dx
  ret

rec12:
  push word 12
  jmp rec
rec13:
  push word 13
rec:
  xor ax, ax
  mov ds, ax
  pop word [FAULT]
  pop word [FAULT + 2]
  jmp [FAULT + 4]

align 8
gdt:
  dq 0
  dq 0x00cf93000000ffff      ; 0x08 data, 4 GiB
gdtr:
  dw 15
  dd gdt
