"""Make the predictions a device: mknod a disk or /dev/zero, hard-link a device into
/output, and failing that, link to /dev/zero (an endless file)."""
# /// hostile
# status = "ok"
# prints = ["devices: none made"]
# checks = ["output_refused"]
# ///

import os
import stat

made = 0
for name, major, minor in (("predictions.csv", 1, 5), ("disk", 8, 0), ("vda", 254, 0)):
    try:
        os.mknod(f"/output/{name}", 0o666 | stat.S_IFCHR, os.makedev(major, minor))
        print("ESCAPED made device", name)
        made += 1
    except OSError:
        pass
for source in ("/dev/zero", "/dev/null"):
    try:
        os.link(source, "/output/predictions.csv")
        print("ESCAPED hard-linked", source)
        made += 1
    except OSError:
        pass
if not os.path.lexists("/output/predictions.csv"):
    os.symlink("/dev/zero", "/output/predictions.csv")
print(f"devices: {made or 'none'} made")
