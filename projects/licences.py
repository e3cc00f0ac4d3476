"""Free and open licences a commons may use, by SPDX identifier.

Software: the FSF/OSI-approved licences most used by French libre projects (including CeCILL);
documentation and data: Creative Commons BY / BY-SA / CC0, ODbL and the Licence Ouverte
(etalab-2.0). Non-commercial or no-derivatives licences are not free and are refused.
"""

FREE_LICENCES = {
    "AGPL-3.0-only": "GNU Affero GPL v3",
    "AGPL-3.0-or-later": "GNU Affero GPL v3 or later",
    "GPL-2.0-only": "GNU GPL v2",
    "GPL-2.0-or-later": "GNU GPL v2 or later",
    "GPL-3.0-only": "GNU GPL v3",
    "GPL-3.0-or-later": "GNU GPL v3 or later",
    "LGPL-2.1-only": "GNU LGPL v2.1",
    "LGPL-2.1-or-later": "GNU LGPL v2.1 or later",
    "LGPL-3.0-only": "GNU LGPL v3",
    "LGPL-3.0-or-later": "GNU LGPL v3 or later",
    "MPL-2.0": "Mozilla Public License 2.0",
    "Apache-2.0": "Apache License 2.0",
    "MIT": "MIT License",
    "BSD-2-Clause": "BSD 2-Clause",
    "BSD-3-Clause": "BSD 3-Clause",
    "ISC": "ISC License",
    "EUPL-1.2": "European Union Public Licence 1.2",
    "CECILL-2.1": "CeCILL v2.1",
    "CECILL-B": "CeCILL-B",
    "CECILL-C": "CeCILL-C",
    "CC0-1.0": "Creative Commons Zero 1.0",
    "CC-BY-4.0": "Creative Commons Attribution 4.0",
    "CC-BY-SA-4.0": "Creative Commons Attribution-ShareAlike 4.0",
    "ODbL-1.0": "Open Database License 1.0",
    "etalab-2.0": "Licence Ouverte 2.0 (Etalab)",
}
