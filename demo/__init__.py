"""Demo and load-test data, apart from the domain core: it builds rows through ``dispatch``'s
models and services, and nothing in ``dispatch``, ``notifications`` or ``scheduler`` imports it.

- ``demo.communes``: ``load_demo(session, now) -> bool``, three communes of An Giang with hamlets,
  teams, volunteers and coordinators (logins ``admin``/``demo-admin``,
  ``uminhthuong``/``demo-uminhthuong``, ``anminh``/``demo-anminh``, ``vankhanh``/``demo-vankhanh``);
- ``demo.histories``: a week of requests told as stories (done, cancelled, declined, ...);
- ``demo.campaign``: households of two An Minh hamlets and a running door-to-door campaign;
- ``demo.province``: the whole province (102 communes, 8,000 volunteers) and a day of arrivals;
- ``demo.people``: made-up Vietnamese and Khmer names, unused mobile numbers.
"""
