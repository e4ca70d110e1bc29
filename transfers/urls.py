# The v1 API's routes. See transfers/views.py.
urlpatterns = []
