"""precedent"""
