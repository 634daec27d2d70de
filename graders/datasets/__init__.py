"""Raw public datasets as the challenges' ``prepare.py`` read them.

They live here, beside the scoring code, because a bundle may import
``graders`` and nothing else of ours; like the rest of ``graders`` this
package imports no framework.
"""
