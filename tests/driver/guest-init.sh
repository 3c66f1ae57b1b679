#!/bin/sh
# init of the driver's end-to-end guest: ACPI power button -> poweroff
# (button + evdev modules, busybox acpid), then a shell on the console.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
for m in /lib/modules/*.ko; do insmod "$m" 2>/dev/null; done
mkdir -p /etc/acpi/PWRF
printf '#!/bin/sh\npoweroff -f\n' > /etc/acpi/PWRF/00000080
chmod +x /etc/acpi/PWRF/00000080
mkdir -p /var/log /var/run
acpid -c /etc/acpi -l /var/log/acpid.log 2>/dev/null
echo "TANDEM-GUEST-READY"
export PS1='guest# '
exec setsid cttyhack sh
